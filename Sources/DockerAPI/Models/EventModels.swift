/// One entry of the daemon's event stream.
public struct DockerEvent: Decodable, Sendable {
    /// `container`, `image`, `network`, `volume`, `daemon`, ...
    public var type: String
    /// `create`, `start`, `die`, `destroy`, `connect`, ...
    public var action: String
    public var actor: Actor
    public var time: Int64?
    public var timeNano: Int64?

    public struct Actor: Decodable, Sendable {
        public var id: String
        /// Labels of the object, plus attributes like `name` and `image`.
        public var attributes: [String: String]?
    }
}

/// Which events to receive.
public struct EventFilter: Sendable {
    /// Unix time (seconds) to replay events from.
    public var since: Double?
    /// Unix time (seconds) to stop at; the stream ends then.
    public var until: Double?
    /// Engine API filters, e.g. `["type": ["container"], "label": ["a=b"]]`.
    public var filters: [String: [String]]

    public init(since: Double? = nil, until: Double? = nil, filters: [String: [String]] = [:]) {
        self.since = since
        self.until = until
        self.filters = filters
    }
}
