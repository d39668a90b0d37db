import Foundation

/// A container that only holds a pooled private network's namespace, with the ports it publishes,
/// for the services that join it (`container:<id>`), one at a time.
///
/// A container's own network endpoint (namespace, veth pair, address, published ports) is most of
/// what the daemon spends starting it: on the 2-core test machine 146 ms of daemon time per HTTP
/// service against 52 ms for one that joins a running namespace (decision 0022). The holder pays
/// it once per pooled network; each service in it is still a fresh container, alone in the
/// namespace, which the holder only keeps.
struct NetworkHolder: Sendable, Hashable {
    var id: String
    /// The container ports it publishes, ascending: only a service asking for exactly these may join it.
    var ports: [Int]
    /// Container port → host port.
    var hostPorts: [Int: Int]
}

/// A network of the pool, lent to one environment or standby, and its holder if it has one.
struct PooledNetwork: Sendable, Hashable {
    var name: String
    /// Its expiry label (the holder's too): it may only serve an environment that ends before it.
    var expiresAt: Date
    var holder: NetworkHolder?
}
