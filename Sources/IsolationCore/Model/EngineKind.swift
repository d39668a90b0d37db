/// Which engine provides an environment.
public struct EngineKind: RawRepresentable, Hashable, Codable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let virtualenv = EngineKind(rawValue: "virtualenv")
    public static let docker = EngineKind(rawValue: "docker")
    /// Docker Swarm: an environment is a one-replica service, placed by the swarm's scheduler.
    public static let swarm = EngineKind(rawValue: "swarm")

    public var description: String { rawValue }
}

/// What an engine can do, so the manager can pick one for a spec.
public enum EngineCapability: String, Codable, Sendable, CaseIterable {
    /// Install, list and uninstall Python packages.
    case packages
    /// Take and restore snapshots.
    case snapshots
    /// Memory, CPU and process limits.
    case resourceLimits = "resource_limits"
    /// Network isolation and shared networks.
    case networks
    /// Named volumes.
    case volumes
    /// Published ports.
    case ports
    /// Run from a container image.
    case containerImages = "container_images"
    /// Copy files in and out.
    case files
    /// Secret values given without being stored.
    case secrets
    /// Placement constraints on a cluster's nodes.
    case placement
}
