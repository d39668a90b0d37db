public import Foundation

/// A named, persistent restore point of an environment.
public struct Snapshot: Codable, Sendable, Hashable, Identifiable {
    public var id: String
    public var name: String
    public var engine: EngineKind
    /// The environment it was taken from (which may be gone by now).
    public var sourceEnvironment: String
    /// The source's spec, so a restore recreates the same environment.
    public var spec: EnvironmentSpec
    public var createdAt: Date
    /// Where the engine keeps it: a directory, or an image id.
    public var location: String
    public var details: [String: String]
    /// The session whose end deletes it (a temporary snapshot); `nil` keeps it until deleted.
    public var session: String?

    public init(
        id: String, name: String, engine: EngineKind, sourceEnvironment: String, spec: EnvironmentSpec, createdAt: Date,
        location: String, details: [String: String] = [:]
    ) {
        self.id = id
        self.name = name
        self.engine = engine
        self.sourceEnvironment = sourceEnvironment
        self.spec = spec
        self.createdAt = createdAt
        self.location = location
        self.details = details
    }
}
