import Foundation

/// Ready-made services under test: Postgres, Redis and any HTTP server, each a Docker spec
/// with a readiness check that proves the service answers, and the URL a test connects to.
/// The CLI's `create --service` uses these; Python's `ptest_isolation.services` builds the
/// same specs (a test holds the two equal).
public enum ReadyMadeService: String, CaseIterable, Codable, Sendable, SchemaEnum {
    case postgres, redis, http

    public static let postgresImage = "ptest-iso-test/postgres:bookworm"
    public static let redisImage = "ptest-iso-test/redis:bookworm"
    public static let busyboxImage = "ptest-iso-test/busybox:latest"

    /// The options each service takes, with their defaults, as `name=value` strings give them.
    public var options: [(name: String, defaultValue: String)] {
        switch self {
        case .postgres: [("image", Self.postgresImage), ("user", "test"), ("password", "test"), ("dbname", "test")]
        case .redis: [("image", Self.redisImage), ("password", "")]
        case .http: [("image", Self.busyboxImage), ("port", "8080"), ("path", "/"), ("status", "200"), ("command", "")]
        }
    }

    /// The port the service listens on inside its container.
    public func containerPort(_ options: [String: String]) -> Int {
        switch self {
        case .postgres: 5432
        case .redis: 6379
        case .http: Int(options["port"] ?? "") ?? 8080
        }
    }

    /// The options given over the defaults; an unknown one is an error naming the closest.
    public func resolve(_ given: [String: String]) throws -> [String: String] {
        let known = options.map(\.name)
        var resolved = Dictionary(uniqueKeysWithValues: options.map { ($0.name, $0.defaultValue) })
        for (name, value) in given.sorted(by: { $0.key < $1.key }) {
            guard known.contains(name) else {
                let hint = EditDistance.closest(to: name, in: known).map { "; did you mean '\($0)'?" } ?? ""
                throw IsolationError(
                    .invalidSpec, field: "service_options.\(name)",
                    "\(rawValue) has no option '\(name)' (options: \(known.joined(separator: ", ")))\(hint)")
            }
            try SchemaLimits.checkText(value, "service_options.\(name)", max: SchemaLimits.maxPathLength)
            resolved[name] = value
        }
        if self == .http {
            for name in ["port", "status"] {
                guard let number = Int(resolved[name] ?? ""), (1...65535).contains(number) else {
                    throw IsolationError(
                        .invalidSpec, field: "service_options.\(name)", "'\(resolved[name] ?? "")' is not a number from 1 to 65535")
                }
            }
        }
        return resolved
    }

    /// The service's spec: its image's own process, its port published, and a readiness check
    /// that talks to it (Postgres logs "ready" twice while it initialises, so no log wait).
    public func spec(_ given: [String: String] = [:]) throws -> EnvironmentSpec {
        let options = try resolve(given)
        let port = containerPort(options)
        var spec = EnvironmentSpec(image: options["image"], ports: [port], mode: .service)
        switch self {
        case .postgres:
            let user = options["user"] ?? "", dbname = options["dbname"] ?? ""
            spec.environment = ["POSTGRES_USER": user, "POSTGRES_PASSWORD": options["password"] ?? "", "POSTGRES_DB": dbname]
            spec.waitFor = [.command(["pg_isready", "-q", "-h", "127.0.0.1", "-p", String(port), "-U", user, "-d", dbname])]
            spec.readyTimeoutSeconds = 60
        case .redis:
            if let password = options["password"], !password.isEmpty { spec.environment = ["REDIS_PASSWORD": password] }
            // A command wait needs exit 0, and redis-cli exits 0 for an error reply too; the
            // password comes from the container's own variable, never an argument.
            spec.waitFor = [.command(["sh", "-c", "[ \"$(REDISCLI_AUTH=\"${REDIS_PASSWORD:-}\" redis-cli -p \(port) ping)\" = PONG ]"])]
            spec.readyTimeoutSeconds = 30
        case .http:
            spec.waitFor = [.http(.init(port: port, path: options["path"] ?? "/", status: Int(options["status"] ?? "") ?? 200))]
            // A shell line, as a CLI flag gives it; empty keeps the image's own command.
            if let command = options["command"], !command.isEmpty { spec.command = ["sh", "-c", command] }
            spec.readyTimeoutSeconds = 30
        }
        return spec
    }

    /// How a test reaches the service once its port is published on `hostPort` of 127.0.0.1.
    public func url(_ given: [String: String], hostPort: Int) throws -> String {
        let options = try resolve(given)
        func quoted(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text }
        switch self {
        case .postgres:
            return "postgresql://\(quoted(options["user"] ?? "")):\(quoted(options["password"] ?? ""))@127.0.0.1:\(hostPort)/"
                + quoted(options["dbname"] ?? "")
        case .redis:
            let password = options["password"] ?? ""
            return "redis://\(password.isEmpty ? "" : ":\(quoted(password))@")127.0.0.1:\(hostPort)/0"
        case .http:
            let path = options["path"] ?? "/"
            return "http://127.0.0.1:\(hostPort)/\(path.drop { $0 == "/" })"
        }
    }
}
