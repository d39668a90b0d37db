import DockerAPI
import Foundation

extension DockerEngine {
    /// Idle pooled networks kept per engine, and idle holders: enough for the standbys of a few specs.
    static let pooledNetworkCapacity = 4
    /// The detail naming the holder whose namespace an environment's container joined.
    static let holderDetail = "network_holder"
    /// A held network's containers cannot reach one another (the host reaches them all): each
    /// holder's namespace is as alone on it as on a private network of its own.
    static let heldNetworkOptions = ["com.docker.network.bridge.enable_icc": "false"]

    /// Whether `environment`'s private network may come from (and go back to) the pool: the
    /// pool is on when background work was asked for (standbys), and its networks carry the
    /// session's lifetime, so only environments that end with their test or session qualify.
    func usesNetworkPool(_ environment: Environment) -> Bool {
        let spec = environment.spec
        return standby.isEnabled && !spec.reuse && !spec.shared && (spec.cleanup == .endOfSession || spec.cleanup == .endOfTest)
    }

    /// Where a pooled container goes (``DockerEngine/pooledNetwork(for:labels:startingHolder:client:)``).
    enum NetworkPlace: Sendable {
        /// Into a holder's namespace, on the held network (`container:<holder>`).
        case holder(NetworkHolder)
        /// Onto the held network itself, with an endpoint of its own: no holder was idle and the
        /// caller would not wait for one to start.
        case heldNetwork(String)
        /// Onto a private network of the pool, alone.
        case privateNetwork(String)
    }

    /// Where `container` goes: when it can share a held namespace (``joinsHolder(_:)``), a
    /// holder's (``NetworkHolder``) that is idle or, with `startingHolder`, can be started from
    /// its image, else the held network itself; other containers go on a private network from
    /// the pool, or a new one for it. `labels` are the session's (``standbyLabels(for:)``); their expiry says
    /// how long the network or holder must last.
    ///
    /// An environment does not start a holder (`startingHolder` false): a holder and then the
    /// service is two starts where a service with an endpoint of its own is one. Standbys start
    /// them, off the critical path, and the environments after take them.
    ///
    /// Docker cannot relabel a network or container, so a new one's expiry label is set a
    /// standby's lifetime (``StandbyPool/maxAge``) past what is needed now: it serves later
    /// environments for that long, then is replaced.
    func pooledNetwork(for container: ContainerSpec, labels: [String: String], startingHolder: Bool, client: DockerClient)
        async throws -> NetworkPlace
    {
        // standbyLabels(for:) always sets it.
        let needed = Date(
            timeIntervalSince1970: labels[ResourceLabels.expiresAt].flatMap(Double.init) ?? Date().timeIntervalSince1970
                + StandbyPool.maxAge)
        if Self.joinsHolder(container) {
            let ports = container.ports.map(\.containerPort).sorted()
            let mayHold = await networks.mayHold(container.image)
            while mayHold {
                guard let holder = await networks.takeHolder(lastingUntil: needed, ports: ports) else {
                    // A standby waits for a holder on its way back (its environment being
                    // destroyed) rather than start one: a holder's start is a whole endpoint's.
                    if startingHolder, await networks.waitForReturning(lastingUntil: needed, ports: ports) { continue }
                    break
                }
                // One inspect: a holder that died (or a cleanup removed) cannot be joined.
                if let state = try? await client.inspectContainer(holder.id), state.state.running { return .holder(holder) }
                // Not removable now: the session's end finds it (and its network) by label.
                try? await removeHolder(holder.id, network: holder.network, client: client)
            }
            // Used from here on (a stop cannot remove it under the caller): by the holder once
            // lent, else by the caller's container, until ``leaveHeldNetwork(_:)``.
            let network: PooledNetwork
            if let existing = await networks.useHeldNetwork(lastingUntil: needed) {
                network = existing
            } else {
                network = try await newPooledNetwork(needed: needed, labels: labels, options: Self.heldNetworkOptions, client: client)
                await networks.addHeldNetwork(network)
            }
            guard startingHolder, mayHold,
                let holder = await startHolder(
                    on: network, image: container.image, platform: container.platform, ports: ports, labels: labels, client: client)
            else { return .heldNetwork(network.name) }
            await networks.lend(holder)
            _ = await networks.leaveHeldNetwork(network.name)
            return .holder(holder)
        }
        if let taken = await networks.take(lastingUntil: needed) { return .privateNetwork(taken.name) }
        let network = try await newPooledNetwork(needed: needed, labels: labels, options: [:], client: client)
        await networks.created(network)
        return .privateNetwork(network.name)
    }

    private func newPooledNetwork(needed: Date, labels: [String: String], options: [String: String], client: DockerClient) async throws
        -> PooledNetwork
    {
        let name = "ptest-iso-net-\(UUID().uuidString.prefix(12).lowercased())"
        let expiresAt = Date(timeIntervalSince1970: (needed.timeIntervalSince1970 + StandbyPool.maxAge).rounded(.down))
        let labels = labels.merging([ResourceLabels.expiresAt: String(Int(expiresAt.timeIntervalSince1970))]) { $1 }
        try await createNetwork(name, labels: labels, options: options, client: client)
        return PooledNetwork(name: name, expiresAt: expiresAt)
    }

    /// Whether a container can run in a held namespace instead of one of its own: nothing of it
    /// is set per container (name, extra hosts, kernel parameters), and it cannot change the
    /// namespace it would leave to the next service (no privileges, no `NET_ADMIN`). Others go
    /// on private networks, as before decision 0023.
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
            return NetworkHolder(id: id!, network: network.name, expiresAt: network.expiresAt, ports: ports, hostPorts: hostPorts)
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
    /// it when it is not the pool's (or the pool is full or drained).
    func releaseNetwork(_ name: String, client: DockerClient) async throws {
        if await networks.giveBack(name) { return }
        try await client.removeNetwork(name)
    }

    /// Gives a holder back to the pool once its environment's containers are gone, or removes it
    /// (and its held network, when the pool has no more use for that) when it is not the pool's
    /// (a CLI's destroy), or the pool is full or drained.
    func releaseHolder(_ id: String, network: String, client: DockerClient) async throws {
        if await networks.giveBackHolder(id) { return }
        try await removeHolder(id, network: network, client: client)
    }

    private func removeHolder(_ id: String, network: String, client: DockerClient) async throws {
        do {
            try await client.removeContainer(id, force: true, removeVolumes: true)
        } catch let error as DockerError where error.code == .notFound {}
        if let unused = await networks.holderRemoved(id, network: network) {
            await removePooled(PoolSurplus(networks: [unused]))
        }
    }

    /// The container with an endpoint of its own on held network `name` is removed (or was never
    /// made): the network goes when nothing is left on it and the pool has no more use for it.
    func leaveHeldNetwork(_ name: String) async {
        if let unused = await networks.leaveHeldNetwork(name) {
            await removePooled(PoolSurplus(networks: [unused]))
        }
    }

    /// Removes the idle pooled networks and holders; the pool lends no more.
    func drainNetworkPool(reopen: Bool = false) async {
        await removePooled(await networks.drain(reopen: reopen))
        // An environment that another process destroyed (the CLI) never comes back to this
        // pool: that process removed its container and holder. A held network the daemon has
        // no container on goes now, whatever the pool counted.
        for name in await networks.heldNetworkNames() {
            guard let left = try? await withClient({ try await $0.listContainers(all: true, filters: ["network": [name]]) }),
                left.isEmpty, let unused = await networks.forgetUsers(of: name)
            else { continue }
            await removePooled(PoolSurplus(networks: [unused]))
        }
    }

    /// Removes what the pool handed back: the holders together, then the networks one after the
    /// other (the daemon removes networks one at a time whoever asks). What fails goes back to
    /// the pool, never lent again, for its next drain to try (and the session's end finds it by
    /// label after that).
    func removePooled(_ surplus: PoolSurplus) async {
        guard !surplus.isEmpty else { return }
        var failed = PoolSurplus()
        failed.holders = await withTaskGroup(of: NetworkHolder?.self) { group in
            for holder in surplus.holders {
                group.addTask {
                    do {
                        try await self.withClient { try await $0.removeContainer(holder.id, force: true, removeVolumes: true) }
                    } catch let error as IsolationError where error.code == .notFound {
                    } catch {
                        return holder
                    }
                    return nil
                }
            }
            return await group.reduce(into: []) { if let holder = $1 { $0.append(holder) } }
        }
        for name in surplus.networks {
            do {
                try await withClient { try await $0.removeNetwork(name) }
            } catch let error as IsolationError where error.code == .notFound {
                // Already gone: what was wanted.
            } catch {
                failed.networks.append(name)
            }
        }
        if !failed.isEmpty { await networks.removeLater(failed) }
    }
}
