/// PostgreSQL on port 5432, configured by the variables of the official `postgres` image.
public struct PostgresOptions: ServiceOptions, Equatable {
    public static let service = ReadyMadeService.postgres
    public static let defaultImage = "ptest-iso-test/postgres:bookworm"
    public static let catalogue = [
        ServiceOption("image", .text, "an image configured like the official postgres one"),
        ServiceOption("user", .text, "the superuser (POSTGRES_USER)"),
        ServiceOption("password", .text, "its password (POSTGRES_PASSWORD)"),
        ServiceOption("dbname", .text, "the database created at start (POSTGRES_DB)"),
        ServiceOption("environment", .variables, "more variables for the container; they win over the three above"),
        ServiceOption("ready_timeout_seconds", .seconds, "how long the readiness check may take"),
    ]

    public var image = Self.defaultImage
    public var user = "test"
    public var password = "test"
    public var dbname = "test"
    public var environment: [String: String] = [:]
    public var readyTimeoutSeconds: Double = 60

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case image, user, password, dbname, environment, readyTimeoutSeconds
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.decode(.image, into: &image)
        try c.decode(.user, into: &user)
        try c.decode(.password, into: &password)
        try c.decode(.dbname, into: &dbname)
        try c.decode(.environment, into: &environment)
        try c.decode(.readyTimeoutSeconds, into: &readyTimeoutSeconds)
    }

    public var containerPort: Int { 5432 }

    public func validate() throws {
        try ServiceOptionChecks.common(image: image, environment: environment, readyTimeoutSeconds: readyTimeoutSeconds)
        try ServiceOptionChecks.nonEmpty(user, "user")
        try ServiceOptionChecks.nonEmpty(dbname, "dbname")
        try SchemaLimits.checkText(password, ServiceOptionChecks.field("password"), max: SchemaLimits.maxArgumentLength)
    }

    public func spec() -> EnvironmentSpec {
        var spec = EnvironmentSpec(image: image, ports: [containerPort], mode: .service)
        spec.environment = ["POSTGRES_USER": user, "POSTGRES_PASSWORD": password, "POSTGRES_DB": dbname]
            .merging(environment) { $1 }
        // pg_isready inside the container: the server logs "ready to accept connections" twice
        // while the image initialises (once for a temporary server), so a log wait returns too early.
        let probe = ["pg_isready", "-q", "-h", "127.0.0.1", "-p", String(containerPort), "-U", user, "-d", dbname]
        spec.waitFor = [.command(probe)]
        spec.readyTimeoutSeconds = readyTimeoutSeconds
        return spec
    }

    /// `postgresql://user:password@host:port/dbname`: libpq's URI, which psycopg and
    /// SQLAlchemy (with a driver prefix) take.
    public func url(host: String, port: Int, path: String?) -> String {
        let quoted = ServiceOptionChecks.quoted
        return "postgresql://\(quoted(user)):\(quoted(password))@\(host):\(port)" + (path ?? "/\(quoted(dbname))")
    }
}
