/// Redis on port 6379; a password is given as `REDIS_PASSWORD`, which the test image's
/// entrypoint (scripts/test-images.sh) turns into `--requirepass`.
public struct RedisOptions: ServiceOptions, Equatable {
    public static let service = ReadyMadeService.redis
    public static let defaultImage = "ptest-iso-test/redis:bookworm"
    public static let catalogue = [
        ServiceOption("image", .text, "an image that takes REDIS_PASSWORD"),
        ServiceOption("password", .text, "required from clients when set (REDIS_PASSWORD)"),
        ServiceOption("environment", .variables, "more variables for the container"),
        ServiceOption("ready_timeout_seconds", .seconds, "how long the readiness check may take"),
    ]

    public var image = Self.defaultImage
    /// `nil` sets no variable; any string, even an empty one, sets `REDIS_PASSWORD` to it.
    public var password: String?
    public var environment: [String: String] = [:]
    public var readyTimeoutSeconds: Double = 30

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case image, password, environment, readyTimeoutSeconds
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.decode(.image, into: &image)
        password = try c.decodeIfPresent(String.self, forKey: .password)
        try c.decode(.environment, into: &environment)
        try c.decode(.readyTimeoutSeconds, into: &readyTimeoutSeconds)
    }

    public var containerPort: Int { 6379 }

    public func validate() throws {
        try ServiceOptionChecks.common(image: image, environment: environment, readyTimeoutSeconds: readyTimeoutSeconds)
        try SchemaLimits.checkText(password, ServiceOptionChecks.field("password"), max: SchemaLimits.maxArgumentLength)
    }

    public func spec() -> EnvironmentSpec {
        var spec = EnvironmentSpec(image: image, ports: [containerPort], mode: .service)
        spec.environment = environment
        if let password { spec.environment["REDIS_PASSWORD"] = password }
        // A command wait needs exit 0, and redis-cli exits 0 for an error reply too, so the
        // answer is compared. The password comes from the container's own variable, never an
        // argument (which `ps` and the daemon's exec records would show).
        let probe = "[ \"$(REDISCLI_AUTH=\"${REDIS_PASSWORD:-}\" redis-cli -p \(containerPort) ping)\" = PONG ]"
        spec.waitFor = [.command(["sh", "-c", probe])]
        spec.readyTimeoutSeconds = readyTimeoutSeconds
        return spec
    }

    /// `redis://[:password@]host:port/0`, as `redis.Redis.from_url` takes it; an empty
    /// password is no password.
    public func url(host: String, port: Int, path: String?) -> String {
        let auth = password.flatMap { $0.isEmpty ? nil : ":\(ServiceOptionChecks.quoted($0))@" } ?? ""
        return "redis://\(auth)\(host):\(port)" + (path ?? "/0")
    }
}
