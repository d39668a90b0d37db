/// One condition a Docker environment must meet before `create` returns.
///
/// JSON is an object with one of the keys `log`, `tcp`, `http`, `health`,
/// `command`: `{"log": "ready to serve", "times": 1}`, `{"tcp": 5432}`,
/// `{"http": {"port": 8080, "path": "/health", "status": 200}}`,
/// `{"health": true}`, `{"command": ["pg_isready"]}`.
public enum WaitStrategy: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The container's output (stdout and stderr) matches a regular expression at least `times` times.
    case log(pattern: String, times: Int)
    /// Something listens on this TCP port inside the container (read from `/proc/net/tcp*` with `cat`).
    case tcp(port: Int)
    /// A GET of `path` on the host port published for `port` answers with `status`.
    case http(HTTPCheck)
    /// Docker reports the container `healthy` (a spec `healthcheck` or the image's `HEALTHCHECK`).
    case health
    /// This command, run inside the container, exits with 0.
    case command([String])

    public struct HTTPCheck: Codable, Sendable, Hashable {
        /// A container port; it must be listed in the spec's `ports`.
        public var port: Int
        public var path: String
        public var status: Int

        public init(port: Int, path: String = "/", status: Int = 200) {
            self.port = port
            self.path = path
            self.status = status
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case port, path, status
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownFields(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(port: try c.decode(Int.self, forKey: .port))
            try c.decode(.path, into: &path)
            try c.decode(.status, into: &status)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case log, times, tcp, http, health, command
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kinds = c.allKeys.filter { $0 != .times }
        guard kinds.count == 1, let kind = kinds.first else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "give exactly one of log, tcp, http, health, command (found \(kinds.map(\.stringValue)))"))
        }
        if kind != .log, c.contains(.times) {
            throw DecodingError.dataCorruptedError(forKey: .times, in: c, debugDescription: "only a log wait counts times; remove it")
        }
        switch kind {
        case .log, .times:
            self = .log(pattern: try c.decode(String.self, forKey: .log), times: try c.decodeIfPresent(Int.self, forKey: .times) ?? 1)
        case .tcp: self = .tcp(port: try c.decode(Int.self, forKey: .tcp))
        case .http: self = .http(try c.decode(HTTPCheck.self, forKey: .http))
        case .health:
            guard try c.decode(Bool.self, forKey: .health) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .health, in: c, debugDescription: "only true is meaningful; remove the entry")
            }
            self = .health
        case .command: self = .command(try c.decode([String].self, forKey: .command))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .log(let pattern, let times):
            try c.encode(pattern, forKey: .log)
            try c.encode(times, forKey: .times)
        case .tcp(let port): try c.encode(port, forKey: .tcp)
        case .http(let check): try c.encode(check, forKey: .http)
        case .health: try c.encode(true, forKey: .health)
        case .command(let argv): try c.encode(argv, forKey: .command)
        }
    }

    public var description: String {
        switch self {
        case .log(let pattern, let times): "log /\(pattern)/" + (times > 1 ? " \(times) times" : "")
        case .tcp(let port): "tcp \(port)"
        case .http(let check): "http \(check.port)\(check.path) → \(check.status)"
        case .health: "health"
        case .command(let argv): "command \(argv.joined(separator: " "))"
        }
    }
}

/// A Docker healthcheck set by the spec (`HEALTHCHECK` without a Dockerfile).
public struct HealthcheckSpec: Codable, Sendable, Hashable {
    /// `["CMD", "prog", "arg"]`, `["CMD-SHELL", "command line"]`, or a bare argv (run as `CMD`).
    public var test: [String]
    public var intervalSeconds: Double?
    public var timeoutSeconds: Double?
    public var startPeriodSeconds: Double?
    public var retries: Int?

    public init(
        test: [String], intervalSeconds: Double? = nil, timeoutSeconds: Double? = nil, startPeriodSeconds: Double? = nil,
        retries: Int? = nil
    ) {
        self.test = test
        self.intervalSeconds = intervalSeconds
        self.timeoutSeconds = timeoutSeconds
        self.startPeriodSeconds = startPeriodSeconds
        self.retries = retries
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case test, intervalSeconds, timeoutSeconds, startPeriodSeconds, retries
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(test: try c.decode([String].self, forKey: .test))
        try c.decode(.intervalSeconds, into: &intervalSeconds)
        try c.decode(.timeoutSeconds, into: &timeoutSeconds)
        try c.decode(.startPeriodSeconds, into: &startPeriodSeconds)
        try c.decode(.retries, into: &retries)
    }
}
