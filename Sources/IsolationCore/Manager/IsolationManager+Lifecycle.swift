public import Foundation

extension IsolationManager {
    /// Creates an environment and waits until it is ready.
    ///
    /// On failure the partial environment is removed and recorded as `failed`.
    ///
    /// With ``EnvironmentSpec/reuse``, a live environment of the same reuse key made by an
    /// earlier run (or another process) is returned instead, its TTL renewed; only when there is
    /// none is one made, and processes asking at once make exactly one (decision 0007).
    ///
    /// - Throws: ``IsolationError`` — `invalidSpec` naming the field, `capacityExceeded`,
    ///   `engineUnavailable`, `interpreterNotFound`, `installFailed` with the installer's output, `timeout`
    ///   (for `reuse`, also while another process makes the shared environment).
    /// - Parameter test: the test that makes the environment (a pytest node id), recorded as the
    ///   label ``ResourceLabels/test`` (in the namespace a spec's own labels may not use).
    public func create(_ spec: EnvironmentSpec, timeout: Duration? = nil, test: String? = nil) async throws -> Environment {
        try spec.validate()
        try Self.validate(test: test)
        let choice = try registry.choose(for: spec)
        if spec.reuse || spec.shared {
            return try await acquireShared(spec, on: choice, timeout: timeout, test: test)
        }
        // A warm pool of the same spec hands over one of its waiting environments (decision 0013).
        if let pool = warmPools.pool(matching: spec) {
            return try await acquire(pool: pool, as: spec, test: test, timeout: timeout).environment
        }
        return try await createNew(spec, on: choice, timeout: timeout, test: test)
    }

    /// Makes a new environment of a checked spec on the chosen engine.
    ///
    /// - Parameter pool: the warm pool the environment is made for (it then waits there).
    /// - Parameter sharing: where a shared environment is found (``EnvironmentSpec/reuse``,
    ///   ``EnvironmentSpec/shared``): it then belongs to that place's session and carries the key
    ///   as its label.
    func createNew(
        _ spec: EnvironmentSpec, on choice: (engine: any IsolationEngine, reason: String), timeout: Duration?, test: String?,
        sharing: SharingPlace? = nil, pool: String? = nil
    ) async throws -> Environment {
        try await attachReaper()
        var environment = newEnvironment(spec, engine: choice.engine.kind, test: test, sharing: sharing)
        if let pool {
            // On the record and the resources' labels: `ls` shows it, cleanup sweeps it with the session.
            environment.labels[ResourceLabels.pool] = pool
            environment.details[Self.poolStateDetail] = "waiting"
        }
        environment.details["engine_reason"] = choice.reason
        if let sharing { environment.details[sharing.label == ResourceLabels.reuse ? "reuse" : "shared"] = "created" }
        let id = environment.id
        try await store.insertEnvironment(environment, maxLive: configuration.maxLiveEnvironments)
        broadcaster.emit(.progress, environment: id, detail: "creating on \(choice.engine.kind): \(choice.reason)")
        let engine = choice.engine
        let pending = environment
        do {
            let artifact = try await bounded(timeout, "creating \(id)") { try await engine.create(pending) }
            environment = try await move(id, to: .ready) {
                $0.location = artifact.location
                $0.details.merge(artifact.details) { $1 }
            }
        } catch {
            try? await engine.destroy(pending)
            _ = try? await move(id, to: .failed) { $0.failure = "\(error)" }
            broadcaster.emit(.error, environment: id, detail: "\(error)")
            throw error
        }
        if let discarded = environment.details["template_discarded"] {
            broadcaster.emit(.error, environment: id, detail: "template rebuilt: \(discarded)")
        }
        broadcaster.emit(.created, environment: id, detail: environment.details["template"].map { "template \($0)" })
        return environment
    }

    /// The record of an environment about to be created: a fresh id, its expiry, and the labels
    /// that let cleanup find its resources from the daemon alone.
    func newEnvironment(_ spec: EnvironmentSpec, engine: EngineKind, test: String? = nil, sharing: SharingPlace? = nil) -> Environment {
        let id = "env-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let now = configuration.clock.now()
        let expiresAt = now.addingTimeInterval(spec.ttlSeconds ?? configuration.defaultTTLSeconds)
        let session = sharing?.session ?? configuration.session
        var labels = spec.labels
        labels.merge(
            ResourceLabels.labels(
                session: session, home: configuration.home, environment: id, expiresAt: expiresAt.timeIntervalSince1970,
                cleanup: spec.cleanup)
        ) { $1 }
        if let test { labels[ResourceLabels.test] = test }
        if let sharing { labels[sharing.label] = sharing.key }
        return Environment(
            id: id, engine: engine, spec: spec, status: .creating, session: session, labels: labels, createdAt: now, expiresAt: expiresAt)
    }

    static func validate(test: String?) throws {
        guard let test else { return }
        guard !test.isEmpty, test.utf8.count <= ResourceLabels.maxTestIDBytes else {
            throw IsolationError(
                .invalidSpec, field: "test_id", "must be 1 to \(ResourceLabels.maxTestIDBytes) bytes, got \(test.utf8.count)")
        }
    }

    /// Removes an environment's resources and records it as destroyed.
    ///
    /// With `background`, the removal continues after this returns (off the caller's critical
    /// path); ``waitForTeardown()`` waits for it, and if the process ends first the session's
    /// reaper finishes it.
    ///
    /// - Throws: `notFound`; `illegalTransition` when it is already destroyed or being destroyed.
    public func destroy(_ id: String, timeout: Duration? = nil, background: Bool = false) async throws {
        let environment = try await move(id, to: .destroying)
        let engine = try engine(for: environment)
        let removal: @Sendable () async throws -> Void = { [self] in
            do {
                try await bounded(timeout, "destroying \(id)") { try await engine.destroy(environment) }
            } catch {
                _ = try? await move(id, to: .failed) { $0.failure = "destroy failed: \(error)" }
                broadcaster.emit(.error, environment: id, detail: "\(error)")
                throw error
            }
            // A cleanup in another process may have finished the removal first (it takes over
            // records left in `destroying`): that is the outcome wanted, not an error.
            do {
                try await move(id, to: .destroyed)
            } catch let error as IsolationError where error.code == .illegalTransition {
                guard try await get(id).status == .destroyed else { throw error }
            }
            broadcaster.emit(.destroyed, environment: id)
            // The last environment of a shared key takes the key's lock file with it.
            if let place = SharingPlace.of(environment, home: configuration.home) { await removeLockFile(of: place) }
        }
        if background {
            self.background.start(.removals) { try? await removal() }
        } else {
            try await removal()
        }
    }

    /// Waits until every removal started with `background: true` has finished.
    public func waitForTeardown() async {
        await background.waitForAll([.removals])
    }

    /// Waits for all work running in the background: removals, standby containers being started,
    /// and warm-pool refills (copies restored ahead too) — not a refill's back-off after a failure.
    public func waitForBackgroundWork() async {
        await background.waitForAll([.removals, .standbyStarts, .poolRefills])
        // A Docker engine made outside this manager starts its standbys in a group of its own.
        for docker in dockerEngines { await docker.waitForBackgroundWork() }
    }

    /// Starts no standby container beyond what the next `remaining` environments can take: the
    /// caller knows how many will follow (the pytest plugin says so as each test begins: the
    /// tests left that use an environment, 0 as the last one begins), so a standby started
    /// beyond them would only be removed again. Each environment created counts one off; the
    /// ready standbys are still taken; `shutdown()` and the session's end remove what is left,
    /// as before. A later call replaces the count.
    ///
    /// - Throws: `invalidSpec` (field `after`) for a count outside 0...1 000 000.
    public func stopStandbys(after remaining: Int = 0) async throws {
        try SchemaLimits.checkInteger(remaining, "after", 0...1_000_000)
        for docker in dockerEngines { await docker.stopStandbys(after: remaining) }
    }

    /// Drains the warm pools, finishes background work, removes standby containers and closes the Docker engine's
    /// connections: what a manager's owner calls before letting it go, so nothing waits for the
    /// session's reaper. A manager used afterwards connects again.
    public func shutdown() async {
        // Pools first: their waiting environments are removed through the engines closed below.
        await drainAllPools()
        // Standbys are drained while the last removals finish: both only wait on the daemon.
        // A removal that ends after the drain removes its network itself (the pool is closed).
        async let removals: Void = background.waitForAll([.removals])
        for docker in dockerEngines { await docker.drainStandbys() }
        await removals
        // Last: the removals above use the engines' clients.
        for docker in dockerEngines {
            // An engine made outside this manager removes networks in a group of its own.
            await docker.waitForBackgroundWork()
            await docker.drainNetworkPool()
            await docker.shutdownClient()
        }
        for case let swarm as SwarmEngine in registry.engines { await swarm.shutdownClients() }
        // The events of the removals above, on disk before the owner lets the manager go.
        await store.settleEvents()
    }

    /// Destroys every live environment of a session, in parallel — except
    /// those whose cleanup policy is `keep` or `after-ttl`.
    ///
    /// - Returns: the ids destroyed. Failures are collected, not thrown one by one.
    /// - Throws: the first failure, after every environment was attempted.
    @discardableResult
    public func destroySession(_ session: String? = nil, timeout: Duration? = nil) async throws -> [String] {
        let own = session == nil || session == configuration.session
        if own {
            // Copies restored ahead are the session's too; drained first, so a copy being made is
            // awaited rather than raced.
            for name in warmPools.names where warmPools.snapshot(of: name) != nil {
                _ = try? await drainPool(name, checked: false)
            }
        }
        // This manager's standbys (and idle pooled networks) are the session's too: removed
        // while the environments are, rather than after them at shutdown. The pools lend
        // again afterwards, for a manager that goes on making environments.
        async let standbys: Void = own ? drainStandbys(reopen: true) : ()
        let targets = try await list(EnvironmentFilter(session: session ?? configuration.session))
            .filter { $0.status != .destroying && $0.spec.cleanup != .keep && $0.spec.cleanup != .afterTTL }
        do {
            let destroyed = try await destroyAll(targets, timeout: timeout)
            await standbys
            return destroyed
        } catch {
            await standbys
            throw error
        }
    }

    private func drainStandbys(reopen: Bool) async {
        for docker in dockerEngines { await docker.drainStandbys(reopen: reopen) }
    }

    /// Destroys every live environment whose TTL has passed (any session),
    /// except those kept for debugging. A reused environment that a run is acquiring (so
    /// renewing) meanwhile is left (decision 0007).
    @discardableResult
    public func destroyExpired(now: Date? = nil, timeout: Duration? = nil) async throws -> [String] {
        let now = now ?? configuration.clock.now()
        let targets = try await list().filter {
            ($0.expiresAt.map { $0 <= now } ?? false) && $0.status != .destroying && $0.spec.cleanup != .keep
        }
        return try await destroyAll(targets, timeout: timeout) { environment, removal in
            try await self.removeIfStillExpired(environment, now: now, removal)
        }
    }

    private func destroyAll(_ environments: [Environment], timeout: Duration?) async throws -> [String] {
        try await destroyAll(environments, timeout: timeout) { _, removal in
            try await removal()
            return true
        }
    }

    /// Destroys `environments` in parallel, each through `gate` (which may decline: `false`).
    private func destroyAll(
        _ environments: [Environment], timeout: Duration?,
        gate: @escaping @Sendable (Environment, () async throws -> Void) async throws -> Bool
    ) async throws -> [String] {
        let outcomes = await withTaskGroup(of: (String, Bool, (any Error)?).self) { group in
            for environment in environments {
                group.addTask {
                    do {
                        let done = try await gate(environment) { try await self.destroy(environment.id, timeout: timeout) }
                        return (environment.id, done, nil)
                    } catch {
                        return (environment.id, true, error)
                    }
                }
            }
            var outcomes: [(String, Bool, (any Error)?)] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        if let failure = outcomes.first(where: { $0.2 != nil })?.2 { throw failure }
        return outcomes.filter(\.1).map(\.0).sorted()
    }
}
