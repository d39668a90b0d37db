import Foundation

/// A container that only holds a network namespace, with the ports it publishes, for the
/// services that join it (`container:<id>`), one at a time.
///
/// A container's own network endpoint (namespace, veth pair, address, published ports) is most of
/// what the daemon spends starting it: on the 2-core test machine 146 ms of daemon time per HTTP
/// service against 52 ms for one that joins a running namespace (decision 0023). The holder pays
/// it once; each service in it is still a fresh container, alone in the namespace, which the
/// holder only keeps. Holders live on their engine's held network, where containers cannot reach
/// one another (``DockerEngine/heldNetworkOptions``).
struct NetworkHolder: Sendable, Hashable {
    var id: String
    /// The network it is on, which its services' environments name as theirs.
    var network: String
    /// Its expiry label: it may only serve an environment that ends before it.
    var expiresAt: Date
    /// The container ports it publishes, ascending: only a service asking for exactly these may join it.
    var ports: [Int]
    /// Container port → host port.
    var hostPorts: [Int: Int]
}

/// A private network of the pool, lent to one environment or standby at a time.
struct PooledNetwork: Sendable, Hashable {
    var name: String
    /// Its expiry label: it may only serve an environment that ends before it.
    var expiresAt: Date
}

/// What the pool hands back for removal: holders first (together), then networks (one after the other).
struct PoolSurplus: Sendable {
    var holders: [NetworkHolder] = []
    var networks: [String] = []

    var isEmpty: Bool { holders.isEmpty && networks.isEmpty }
}
