import DockerAPI
import Foundation

/// What a standby is started from, and what makes two environments' standbys
/// interchangeable: the container (unnamed, with the user's labels), whether it
/// needs a private network of its own, and the readiness checks it must pass
/// before it is handed out.
struct StandbyKey: Hashable, Sendable {
    var container: ContainerSpec
    /// Published ports or `network: "isolated"`: the standby brings its own network,
    /// which the environment that takes it owns from then on.
    var ownNetwork: Bool
    var waitFor: [WaitStrategy]
    var readyTimeoutSeconds: Double?

    /// The part of a spec that ``DockerEngine/waitUntilReady(_:spec:hostPorts:client:)`` reads.
    var readiness: EnvironmentSpec {
        var spec = EnvironmentSpec()
        spec.waitFor = waitFor
        spec.readyTimeoutSeconds = readyTimeoutSeconds
        return spec
    }
}

/// A container started (and, for a service, found ready) ahead of need.
struct Standby: Sendable {
    var id: String
    /// Its private network, when the key asks for one and it joins no held namespace.
    var network: String?
    /// The held network it is on with an endpoint of its own (its image has no `sleep` for a holder).
    var heldNetwork: String? = nil
    /// The ``NetworkHolder`` whose namespace it joined (then it has no ``network``): without it
    /// the standby has no network.
    var holder: NetworkHolder?
    /// Container port → host port, for published ports.
    var hostPorts: [Int: Int]
    var startedAt: Date
}
