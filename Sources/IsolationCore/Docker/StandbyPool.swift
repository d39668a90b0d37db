import DockerAPI
import Foundation

/// Containers started ahead of need: after an environment is created from a
/// spec, a standby container of the same spec is started in the background,
/// and the next environment of that spec takes it instead of waiting for a
/// start. Start is most of a container's cost; this moves it off the
/// caller's critical path. A service's standby also gets its private network,
/// publishes its ports and passes its readiness checks before it is handed out.
///
/// A standby carries the session's labels (not an environment's), so a
/// session's end — the reaper, or ``drain()`` — removes unclaimed ones.
/// Only specs whose container needs nothing after its start but readiness
/// qualify: no shared network, volumes or secret files.
///
/// How many are kept per key follows demand: one at first, one more (up to
/// `depth`) each time an environment had to wait because none was ready.
actor StandbyPool {
    /// Standbys kept ready per key, at most.
    let depth: Int
    /// A standby older than this is removed, not taken: its expiry label, set at its own start,
    /// must not run out before the environment that takes it does.
    static let maxAge: TimeInterval = 600

    private var ready: [StandbyKey: [Standby]] = [:]
    /// Standbys being started, each a child task of `background`, and its end.
    private var work: [UUID: (key: StandbyKey, done: OneShot<Void>)] = [:]
    /// Resolved when the next start of a key ends (ready or failed): a claim waits for whichever
    /// of the key's starts ends first, not for one in particular.
    private var arrivals: [StandbyKey: OneShot<Void>] = [:]
    private let background: BackgroundWork
    /// How many each key keeps now (1...depth), raised by claims that found none ready.
    private var wanted: [StandbyKey: Int] = [:]
    /// Set by ``drain(engine:)``: a create still in flight then starts no new standby.
    private var closed = false
    /// How many more environments the owner expects (``expect(_:)``; each claim counts one): no
    /// standby is started beyond what they can take. `nil`: the owner has not said.
    private var expected: Int?
    /// Keys whose last standby failed to start: they get none ahead of their next environment's
    /// start (``refill(_:labels:engine:taking:early:)``) until one starts again.
    private var failing: Set<StandbyKey> = []
    /// Every start is numbered; a key's starts numbered below its entry here were given up
    /// (``abandon(_:)``).
    private var started = 0
    private var abandonedBelow: [StandbyKey: Int] = [:]

    init(depth: Int, background: BackgroundWork) {
        self.depth = depth
        self.background = background
    }

    nonisolated var isEnabled: Bool { depth > 0 }

    /// A running standby of `key`, now the caller's; `nil` when none is ready or starting.
    /// One that is starting is waited for: it is further along than a start from scratch.
    /// `labels` are those of standbys started meanwhile (``refill(_:labels:engine:taking:)``).
    func claim(_ key: StandbyKey, labels: [String: String], engine: DockerEngine, client: DockerClient) async -> Standby? {
        // A drained pool's last standbys may have skipped their readiness wait.
        guard !closed else { return nil }
        if let expected { self.expected = max(0, expected - 1) }
        if let wanted = wanted[key] {
            if ready[key]?.isEmpty ?? true {
                // Demand outran the standbys kept: keep one more from now on.
                self.wanted[key] = min(depth, wanted + 1)
            }
            // What this claim leaves missing starts now, not once it has its standby: a claim that
            // waits for a start would otherwise leave the daemon one start short meanwhile. (A key
            // never created yet gets its first standby beside its first environment's start, in
            // `DockerEngine.createOnce`, after its container was created.)
            let available = (ready[key]?.count ?? 0) + work.values.count { $0.key == key }
            refill(key, labels: labels, engine: engine, taking: available > 0 ? 1 : 0)
            // None was under way: the caller starts its own beside the ones just begun.
            if available == 0 { return nil }
        }
        while ready[key]?.isEmpty ?? true, work.values.contains(where: { $0.key == key }) {
            try? await nextArrival(of: key).value()
        }
        while let standby = ready[key]?.popLast() {
            let fresh = Date().timeIntervalSince(standby.startedAt) < Self.maxAge
            // One inspect (two in a held namespace): a standby that died, or whose holder did (a
            // cleanup removed it), must not be handed out.
            if fresh, let state = try? await client.inspectContainer(standby.id), state.state.running,
                await Self.isRunning(standby.holder, client: client)
            {
                return standby
            }
            await Self.remove(standby, engine: engine, client: client)
        }
        return nil
    }

    /// Starts standbys of `key` in the background until as many as it keeps are ready or starting,
    /// besides `taking` that a claim is about to take, and no more than the environments the
    /// owner expects can take. `labels` are the session's labels the standby carries until it is
    /// taken. `early`: asked before the key's environment has started (none if its last standby
    /// failed to start).
    func refill(_ key: StandbyKey, labels: [String: String], engine: DockerEngine, taking: Int = 0, early: Bool = false) {
        if early, failing.contains(key) { return }
        let kept = wanted[key] ?? 1
        wanted[key] = kept
        let starting = work.values.count { $0.key == key }
        var missing = kept + taking - (ready[key]?.count ?? 0) - starting
        if let expected {
            let held = ready.values.reduce(0) { $0 + $1.count } + work.count
            missing = min(missing, expected + taking - held)
        }
        guard missing > 0, !closed else { return }
        for _ in 0..<missing {
            let token = UUID()
            let done = OneShot<Void>()
            work[token] = (key, done)
            let number = started
            started += 1
            background.start(.standbyStarts) {
                let standby = await Self.start(
                    key, labels: labels, engine: engine, drained: { await self.closed },
                    abandoned: { await self.isAbandoned(key, number) })
                await self.finished(key, token: token, standby: standby)
                done.resolve(.success(()))
            }
        }
    }

    /// Gives up the standbys of `key` being started: its environment just failed after its
    /// container was created (a readiness wait timed out, the service exited), so theirs would
    /// most likely fail the same way, and a readiness wait must not be waited for twice (a
    /// session's end waits for the starts). The key gets no standby ahead of its next
    /// environment's start, as after a failed standby; ready ones are still taken.
    func abandon(_ key: StandbyKey) {
        abandonedBelow[key] = started
        failing.insert(key)
        wanted[key] = nil
    }

    private func isAbandoned(_ key: StandbyKey, _ number: Int) -> Bool {
        number < abandonedBelow[key] ?? 0
    }

    private func nextArrival(of key: StandbyKey) -> OneShot<Void> {
        if let arrival = arrivals[key] { return arrival }
        let arrival = OneShot<Void>()
        arrivals[key] = arrival
        return arrival
    }

    private func finished(_ key: StandbyKey, token: UUID, standby: Standby?) {
        work[token] = nil
        if let standby {
            ready[key, default: []].append(standby)
            failing.remove(key)
        } else if !closed {
            // A failed start forgets the key's demand: its next environment starts its own, and
            // its standbys come after that one is up (a spec that never starts costs one failed
            // standby, not one per environment).
            failing.insert(key)
            wanted[key] = nil
        }
        arrivals.removeValue(forKey: key)?.resolve(.success(()))
    }

    /// Creates, starts and readies one standby; `nil` when any step fails, with nothing left of it.
    /// Once `drained()` says the pool is drained, the readiness wait is skipped: the standby is
    /// only going to be removed.
    private static func start(
        _ key: StandbyKey, labels: [String: String], engine: DockerEngine, drained: @Sendable () async -> Bool,
        abandoned: @escaping @Sendable () async -> Bool
    ) async -> Standby? {
        let name = "ptest-iso-standby-\(UUID().uuidString.prefix(12).lowercased())"
        var container = key.container
        container.name = name
        container.labels = key.container.labels.merging(labels) { $1 }
        return try? await engine.withClient { client in
            var standby = Standby(id: "", network: nil, holder: nil, hostPorts: [:], startedAt: Date())
            do {
                // Drained or given up before it began (a session's end right after the claim that asked
                // for it; its environment's failure).
                if await drained() { throw CancellationError() }
                if await abandoned() { throw CancellationError() }
                if key.ownNetwork {
                    switch try await engine.pooledNetwork(for: container, labels: labels, startingHolder: true, client: client) {
                    case .holder(let holder):
                        standby.holder = holder
                        container.networkMode = "container:\(holder.id)"
                        container.ports = []
                        standby.hostPorts = holder.hostPorts
                    case .heldNetwork(let name):
                        standby.heldNetwork = name
                        container.networkMode = name
                    case .privateNetwork(let name):
                        standby.network = name
                        container.networkMode = name
                    }
                }
                standby.id = try await client.createContainer(container).id
                // Drained meanwhile: the standby is only going to be removed, and a container
                // never started is the cheapest to remove.
                if await drained() { throw CancellationError() }
                try await client.startContainer(standby.id)
                if !container.ports.isEmpty {
                    let inspect = try await client.inspectContainer(standby.id)
                    for publication in container.ports {
                        standby.hostPorts[publication.containerPort] = inspect.hostPorts(for: publication.containerPort).first
                    }
                }
                if await !drained() {
                    try await engine.waitUntilReady(
                        standby.id, spec: key.readiness, hostPorts: standby.hostPorts, client: client, giveUp: abandoned)
                }
            } catch {
                await remove(standby, engine: engine, client: client)
                throw error
            }
            standby.startedAt = Date()
            return standby
        }
    }

    private static func isRunning(_ holder: NetworkHolder?, client: DockerClient) async -> Bool {
        guard let holder else { return true }
        return (try? await client.inspectContainer(holder.id))?.state.running ?? false
    }

    private static func remove(_ standby: Standby, engine: DockerEngine, client: DockerClient) async {
        if !standby.id.isEmpty { _ = try? await client.removeContainer(standby.id, force: true, removeVolumes: true) }
        if let network = standby.network { _ = try? await engine.releaseNetwork(network, client: client) }
        if let holder = standby.holder { _ = try? await engine.releaseHolder(holder.id, network: holder.network, client: client) }
        if let held = standby.heldNetwork { await engine.leaveHeldNetwork(held) }
    }

    /// Starts no standby beyond what the next `count` environments can take: the owner knows how
    /// many will follow (a test process's remaining tests; 0 as its last test begins). Those
    /// ready or starting are still taken, and drained as before.
    ///
    /// - Returns: how many of those environments may still need a private network of their own:
    ///   `count` less the standbys ready or starting on one (those bring theirs).
    func expect(_ count: Int) -> Int {
        expected = count
        let networked = ready.reduce(0) { $0 + ($1.key.ownNetwork ? $1.value.count : 0) } + work.values.count { $0.key.ownNetwork }
        return max(0, count - networked)
    }

    /// Waits for the standbys being started.
    func waitForStarts() async {
        while let pending = work.values.first?.done {
            try? await pending.value()
        }
    }

    /// Removes every unclaimed standby (after the ones being started are up or given up).
    /// `reopen`: later environments get standbys again (a session ended by its own manager,
    /// which may go on making environments); else the pool stays closed (a shutdown).
    func drain(engine: DockerEngine, reopen: Bool = false) async {
        closed = true
        defer { if reopen { closed = false } }
        await waitForStarts()
        let unclaimed = ready.values.flatMap { $0 }
        ready = [:]
        guard !unclaimed.isEmpty else { return }
        _ = try? await engine.withClient { client in
            await withTaskGroup(of: Void.self) { group in
                for standby in unclaimed {
                    group.addTask { await Self.remove(standby, engine: engine, client: client) }
                }
            }
        }
    }
}
