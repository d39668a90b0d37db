import DockerAPI
import Foundation

/// What destroy removes besides the recorded container: everything labelled with the environment's
/// id. A record left `creating` by a client that died mid-create names no container, yet the
/// container (and its private network) may exist and run; destroy means those are gone too.
extension DockerEngine {
    /// Removes the recorded container and every container labelled as the environment's (searched
    /// for, before and after, unless none may carry that label: ``mayCarryItsLabel(_:)``).
    ///
    /// - Throws: the daemon's error for a container it would not remove (so destroy fails saying
    ///   what is left); a container already gone is not an error.
    func removeContainers(of environment: Environment, client: DockerClient) async throws {
        let searched = Self.mayCarryItsLabel(environment)
        var ids = searched ? try await client.listContainers(all: true, filters: Self.ownedBy(environment)).map(\.id) : []
        if !environment.location.isEmpty && !ids.contains(where: { $0.hasPrefix(environment.location) }) {
            ids.insert(environment.location, at: 0)
        }
        for id in ids {
            do {
                try await client.removeContainer(id, force: true, removeVolumes: true)
            } catch let error as DockerError where error.code == .notFound {
                // Already gone: that is what destroy wants.
            }
        }
        guard searched else { return }
        // Destroy reports success only for what is gone: one made meanwhile (its creator still alive) is named.
        let left = try await client.listContainers(all: true, filters: Self.ownedBy(environment))
        guard left.isEmpty else {
            let names = left.map { $0.names.first.map { String($0.drop { $0 == "/" }) } ?? $0.id }
            throw IsolationError(
                .ioFailure, "destroy: \(environment.id) still has container \(names.joined(separator: ", ")); destroy it again")
        }
    }

    /// Removes the environment's private networks found by label (the record of a create cut
    /// short does not name them), and gives back (or removes) the holder whose namespace it
    /// joined. Shared networks carry no environment label.
    func removeOwnedNetworks(of environment: Environment, client: DockerClient) async throws {
        if let holder = environment.details[Self.holderDetail], let network = environment.details["network"] {
            try await releaseHolder(holder, network: network, client: client)
        } else if let network = environment.details["network"], await networks.isHeldNetwork(network) {
            // On this process's held network with an endpoint of its own.
            await leaveHeldNetwork(network)
        }
        var names = Self.mayCarryItsLabel(environment) ? try await client.listNetworks(filters: Self.ownedBy(environment)).map(\.name) : []
        if let recorded = environment.details["owned_network"], !names.contains(recorded) { names.insert(recorded, at: 0) }
        for name in names {
            do {
                try await releaseNetwork(name, client: client)
            } catch let error as DockerError where error.code == .notFound {}
        }
    }

    /// Whether anything of the environment may carry its label, so that destroy must search for
    /// it. Not when its container was a standby: Docker cannot relabel a container, so a standby
    /// keeps the session's labels (``standbyLabels(for:)``), its network is one a standby started
    /// on, and a spec with volumes gets no standby. Its record names all it has; the four
    /// searches (containers before and after, networks, volumes) would find nothing, and would
    /// cost the daemon as much as the test's own calls in a suite of fresh containers.
    static func mayCarryItsLabel(_ environment: Environment) -> Bool {
        environment.details["standby"] != "true"
    }

    static func ownedBy(_ environment: Environment) -> [String: [String]] {
        ["label": ["\(ResourceLabels.managed)=true", "\(ResourceLabels.environment)=\(environment.id)"]]
    }
}
