public import Foundation

/// The options of one ready-made service, decoded strictly from the project's snake_case
/// JSON; each type states its defaults once, in `init()`, and fronts list them from there.
public protocol ServiceOptions: Codable, Sendable {
    /// The service these options configure.
    static var service: ReadyMadeService { get }
    /// Every option, in the order listings show them.
    static var catalogue: [ServiceOption] { get }

    /// The defaults.
    init()

    /// The port the service listens on inside its container (published to a host port).
    var containerPort: Int { get }

    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the option as `options.<name>`.
    func validate() throws

    /// The Docker spec: the image's own process (`mode` service), the port published, and a
    /// readiness check that talks to the service, so `create` returns once it answers.
    func spec() -> EnvironmentSpec

    /// The URL a client connects with once ``containerPort`` is published on `host:port`;
    /// `path` replaces the URL's own path (a Redis database `/1`, an HTTP resource `/health`).
    func url(host: String, port: Int, path: String?) -> String
}

/// One option as listings show it and as a `NAME=VALUE` setting gives it.
public struct ServiceOption: Sendable, Encodable, Hashable {
    /// How a `NAME=VALUE` setting's text becomes the option's JSON value.
    public enum Kind: String, Sendable, Encodable, Hashable {
        /// Taken as it is.
        case text
        /// A whole number.
        case integer
        /// A number of seconds.
        case seconds
        /// A host path: a relative one is made absolute from the current directory.
        case path
        /// An argv list; a setting gives one shell line, run as `sh -c LINE`.
        case command
        /// Variables; no setting gives them (the CLI's `--env KEY=VALUE` does).
        case variables
    }

    public var name: String
    public var kind: Kind
    /// What it does, in a line.
    public var help: String

    public init(_ name: String, _ kind: Kind, _ help: String) {
        self.name = name
        self.kind = kind
        self.help = help
    }
}

/// The checks every service's options share; each names its field as `options.<name>`.
enum ServiceOptionChecks {
    static func field(_ name: String) -> String { "options.\(name)" }

    static func nonEmpty(_ text: String, _ name: String, max: Int = SchemaLimits.maxNameLength) throws {
        guard !text.isEmpty else { throw IsolationError(.invalidSpec, field: field(name), "must not be empty") }
        try SchemaLimits.checkText(text, field(name), max: max)
    }

    static func common(image: String, environment: [String: String], readyTimeoutSeconds: Double) throws {
        try nonEmpty(image, "image", max: SchemaLimits.maxPathLength)
        try SchemaLimits.checkMap(
            environment, field("environment"), maxCount: SchemaLimits.maxVariables, maxKey: SchemaLimits.maxArgumentLength,
            maxValue: SchemaLimits.maxArgumentLength)
        try SchemaLimits.checkSeconds(readyTimeoutSeconds, field("ready_timeout_seconds"), max: SchemaLimits.maxReadyTimeoutSeconds)
    }

    /// RFC 3986's unreserved characters, ASCII only (`alphanumerics` would keep `é` as it is).
    private static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// Percent-encodes a URL part (user, password, database) so any character survives.
    static func quoted(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
