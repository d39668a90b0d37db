/// How a test reaches a running ready-made service: the host, the published port and the URL.
public struct ServiceConnection: Sendable, Encodable, Hashable {
    public var service: ReadyMadeService
    /// Where published ports listen: the daemon publishes on every interface of its host, and
    /// the tests run there.
    public var host: String
    /// The host port published for ``containerPort``.
    public var port: Int
    public var containerPort: Int
    /// A DSN for Postgres (`postgresql://…`), `redis://…`, `http://…`.
    public var url: String

    public static let defaultHost = "127.0.0.1"
}
