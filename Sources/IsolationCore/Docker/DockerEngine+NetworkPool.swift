import DockerAPI
import Foundation

extension DockerEngine {
    /// Idle pooled networks kept per engine: enough for the standbys of a few specs.
    static let pooledNetworkCapacity = 4

    /// Whether `environment`'s private network may come from (and go back to) the pool: the
    /// pool is on when background work was asked for (standbys), and its networks carry the
    /// session's lifetime, so only environments that end with their test or session qualify.
    func usesNetworkPool(_ environment: Environment) -> Bool {
        let spec = environment.spec
        return standby.isEnabled && !spec.reuse && !spec.shared && (spec.cleanup == .endOfSession || spec.cleanup == .endOfTest)
    }

    /// A private network from the pool, or a new one for it, and the ``NetworkHolder`` its
    /// container is to join: `nil` when `container` cannot share a held namespace
    /// (``joinsHolder(_:)``) or no holder could be started from its image. `labels` are the
    /// session's (``standbyLabels(for:)``); their expiry says how long the network must last.
    ///
    /// Docker cannot relabel a network, so a new one's expiry label is set a standby's
    /// lifetime (``StandbyPool/maxAge``) past what is needed now: it serves later environments
    /// for that long, then is replaced.
    func pooledNetwork(for container: ContainerSpec, labels: [String: String], client: DockerClient) async throws -> (
        name: String, holder: NetworkHolder?
    ) {
        // standbyLabels(for:) always sets it.
        let needed = labels[ResourceLabels.expiresAt].flatMap(Double.init) ?? Date().timeIntervalSince1970 + StandbyPool.maxAge
        var ports: [Int]?
        if Self.joinsHolder(container), await networks.mayHold(container.image) { ports = container.ports.map(\.containerPort).sorted() }
        let network: PooledNetwork
        if let taken = await networks.take(lastingUntil: Date(timeIntervalSince1970: needed), holderPorts: ports) {
            network = taken
        } else {
            let name = "ptest-iso-net-\(UUID().uuidString.prefix(12).lowercased())"
            let expiresAt = needed + StandbyPool.maxAge
            try await createNetwork(name, labels: labels.merging([ResourceLabels.expiresAt: String(Int(expiresAt))]) { $1 }, client: client)
            network = PooledNetwork(name: name, expiresAt: Date(timeIntervalSince1970: expiresAt))
            await networks.created(network)
        }
        guard let ports else { return (network.name, nil) }
        if let holder = network.holder {
            // One inspect: a holder that died (or a cleanup removed) cannot be joined.
            if let state = try? await client.inspectContainer(holder.id), state.state.running { return (network.name, holder) }
            _ = try? await client.removeContainer(holder.id, force: true, removeVolumes: true)
            await networks.setHolder(nil, of: network.name)
        }
        let holder = await startHolder(
            on: network, image: container.image, platform: container.platform, ports: ports, labels: labels, client: client)
        await networks.setHolder(holder, of: network.name)
        return (network.name, holder)
    }

    /// Whether a container can run in a held namespace instead of one of its own: nothing of it
    /// is set per container (name, extra hosts, kernel parameters), and it cannot change the
    /// namespace it would leave to the next service (no privileges, no `NET_ADMIN`).
    static func joinsHolder(_ container: ContainerSpec) -> Bool {
        let mighty: Set = ["ALL", "NET_ADMIN", "SYS_ADMIN", "CAP_NET_ADMIN", "CAP_SYS_ADMIN"]
        return !container.security.privileged && container.security.capAdd.allSatisfy { !mighty.contains($0.uppercased()) }
            && container.hostname == nil && container.extraHosts.isEmpty && container.sysctls.isEmpty
    }

    /// Starts a holder on `network` from the service's own image (its `sleep`): no other image can
    /// be assumed present. `nil` when it cannot start; an image without `sleep` is not tried again.
    ///
    /// The holder's namespace keeps no `TIME_WAIT` sockets (`tcp_max_tw_buckets` 0): one left by
    /// a service that closed its connections first would otherwise keep its port from the next
    /// service for a minute, unless that one binds with `SO_REUSEADDR`.
    private func startHolder(
        on network: PooledNetwork, image: String, platform: String?, ports: [Int], labels: [String: String], client: DockerClient
    ) async -> NetworkHolder? {
        var container = ContainerSpec(image: image)
        container.name = "ptest-iso-holder-\(UUID().uuidString.prefix(12).lowercased())"
        container.entrypoint = ["sleep"]
        container.command = ["2147483647"]
        // No init: the daemon then runs `sleep` itself, so an image without it fails the start,
        // not a moment after it. (Removal kills it; it needs no signal handling.)
        container.platform = platform
        container.labels = labels.merging([
            ResourceLabels.networkHolder: "true", ResourceLabels.expiresAt: String(Int(network.expiresAt.timeIntervalSince1970)),
        ]) { $1 }
        container.labels[ResourceLabels.standby] = nil
        container.networkMode = network.name
        container.ports = ports.map { ContainerSpec.PortPublication(containerPort: $0) }
        container.sysctls = ["net.ipv4.tcp_max_tw_buckets": "0"]
        var id: String?
        do {
            id = try await client.createContainer(container).id
            try await client.startContainer(id!)
            let inspect = try await client.inspectContainer(id!)
            guard inspect.state.running else { throw CancellationError() }
            var hostPorts: [Int: Int] = [:]
            for port in ports {
                guard let hostPort = inspect.hostPorts(for: port).first else { throw CancellationError() }
                hostPorts[port] = hostPort
            }
            return NetworkHolder(id: id!, ports: ports, hostPorts: hostPorts)
        } catch {
            if let id { _ = try? await client.removeContainer(id, force: true, removeVolumes: true) }
            if let error = error as? DockerError, Self.lacksProgram(error) { await networks.cannotHold(image) }
            return nil
        }
    }

    /// Whether a start failed because the image has no such program.
    static func lacksProgram(_ error: DockerError) -> Bool {
        let message = error.message.lowercased()
        return message.contains("executable file not found") || message.contains("no such file or directory")
    }

    /// Gives a network back to the pool once its environment's containers are gone, or removes
    /// it (its holder first) when it is not the pool's (or the pool is full or drained).
    func releaseNetwork(_ name: String, client: DockerClient) async throws {
        if await networks.giveBack(name) { return }
        try await removeHolders(on: name, client: client)
        try await client.removeNetwork(name)
    }

    /// Removes the holders on `name`, found by label: the process that started one may not be the
    /// one removing its network (a CLI's destroy, a pool that was full).
    func removeHolders(on name: String, client: DockerClient) async throws {
        let filters = ["network": [name], "label": ["\(ResourceLabels.networkHolder)=true"]]
        for holder in try await client.listContainers(all: true, filters: filters) {
            do {
                try await client.removeContainer(holder.id, force: true, removeVolumes: true)
            } catch let error as DockerError where error.code == .notFound {}
        }
    }

    /// Removes the idle pooled networks; the pool lends no more.
    func drainNetworkPool(reopen: Bool = false) async {
        await removePooledNetworks(await networks.drain(reopen: reopen))
    }

    /// Removes networks the pool handed back: their holders together, then the networks one after
    /// the other (the daemon removes networks one at a time whoever asks). One whose removal fails
    /// goes back to the pool, never lent again, for its next drain to try (and the session's end
    /// finds it by label after that).
    func removePooledNetworks(_ networks: [PooledNetwork]) async {
        let holders = networks.compactMap(\.holder?.id)
        let gone = await withTaskGroup(of: String?.self) { group in
            for id in holders {
                group.addTask {
                    do {
                        try await self.withClient { try await $0.removeContainer(id, force: true, removeVolumes: true) }
                    } catch let error as IsolationError where error.code == .notFound {
                    } catch {
                        return nil
                    }
                    return id
                }
            }
            return await group.reduce(into: Set<String>()) { if let id = $1 { $0.insert(id) } }
        }
        for network in networks {
            do {
                if let holder = network.holder, !gone.contains(holder.id) { throw CancellationError() }
                try await withClient { try await $0.removeNetwork(network.name) }
            } catch let error as IsolationError where error.code == .notFound {
                // Already gone: what was wanted.
            } catch {
                await self.networks.removeLater(network)
            }
        }
    }
}
