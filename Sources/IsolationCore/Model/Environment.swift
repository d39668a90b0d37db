public import Foundation

/// One isolated place to run code, as the state store records it.
public struct Environment: Codable, Sendable, Hashable, Identifiable {
    public var id: String
    public var engine: EngineKind
    public var spec: EnvironmentSpec
    public var status: EnvironmentStatus
    /// The session that owns it (pytest-xdist workers of one run share one).
    public var session: String
    /// The spec's labels plus the engine's own.
    public var labels: [String: String]
    public var createdAt: Date
    public var expiresAt: Date?
    /// Where it lives: the venv directory, or the container id.
    public var location: String
    /// Engine facts worth showing: interpreter, Python version, template hit.
    public var details: [String: String]
    /// Why it failed, when ``status`` is `failed`.
    public var failure: String?

    public init(
        id: String, engine: EngineKind, spec: EnvironmentSpec, status: EnvironmentStatus, session: String,
        labels: [String: String], createdAt: Date, expiresAt: Date?, location: String = "",
        details: [String: String] = [:], failure: String? = nil
    ) {
        self.id = id
        self.engine = engine
        self.spec = spec
        self.status = status
        self.session = session
        self.labels = labels
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.location = location
        self.details = details
        self.failure = failure
    }
}

/// Which environments ``IsolationManager/list(_:)`` returns.
public struct EnvironmentFilter: Codable, Sendable, Hashable {
    public var engine: EngineKind?
    public var statuses: [EnvironmentStatus]?
    public var session: String?
    /// Every label here must match exactly.
    public var labels: [String: String]
    /// Leave out destroyed environments (the default).
    public var liveOnly: Bool

    public init(
        engine: EngineKind? = nil, statuses: [EnvironmentStatus]? = nil, session: String? = nil,
        labels: [String: String] = [:], liveOnly: Bool = true
    ) {
        self.engine = engine
        self.statuses = statuses
        self.session = session
        self.labels = labels
        self.liveOnly = liveOnly
    }

    func matches(_ environment: Environment) -> Bool {
        if let engine, environment.engine != engine { return false }
        if let statuses, !statuses.contains(environment.status) { return false }
        if liveOnly, !environment.status.isLive { return false }
        if let session, environment.session != session { return false }
        return labels.allSatisfy { environment.labels[$0.key] == $0.value }
    }
}
