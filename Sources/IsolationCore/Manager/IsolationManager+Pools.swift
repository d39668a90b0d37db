import Foundation

extension IsolationManager {
    /// Adds a warm pool (or resizes one of the same name and spec) and starts filling it to `min`
    /// in the background (decision 0013). Pooled environments are created as any other (readiness
    /// and installs included), carry the session's labels and ``ResourceLabels/pool``, and count
    /// against ``Configuration/maxLiveEnvironments``.
    ///
    /// - Parameter quota: asked before each refill creation (the server's per-owner quota).
    /// - Throws: `invalidSpec` naming the field; `engineUnavailable` when no engine takes the spec.
    ///   A refill that fails is not an error here: it is an `error` event and the pool's `last_error`.
    public func configurePool(_ settings: PoolSettings, quota: (any PoolQuota)? = nil) throws {
        try settings.validate()
        let choice = try registry.choose(for: settings.spec)
        try warmPools.configure(settings, engine: choice.engine.kind, quota: quota)
        broadcaster.emit(.progress, detail: "pool \(settings.name): min \(settings.min), max \(settings.max)")
        refillPool(settings.name)
    }

    /// Hands over a ready environment of the pool, re-stamped for `test` with a fresh TTL: a hit
    /// is a record update. When none is ready (a miss) one is created on demand, as `create`
    /// would; either way a refill follows. Concurrent acquirers never get the same environment.
    ///
    /// - Parameter ttlSeconds: the handed-over environment's TTL from now; `nil` is the spec's or
    ///   the manager's default. Its resources' expiry labels keep the pool's, so a cleanup without
    ///   the database may remove it earlier, never later than the spec's TTL from its creation.
    /// - Throws: `notFound` on `pool`; on a miss, what `create` throws.
    public func acquire(
        pool name: String, test: String? = nil, ttlSeconds: Double? = nil, timeout: Duration? = nil
    ) async throws -> PoolAcquisition {
        try PoolSettings.checkName(name, field: "pool")
        try Self.validate(test: test)
        try SchemaLimits.checkSeconds(ttlSeconds, "ttl_seconds", max: SchemaLimits.maxTTLSeconds)
        var spec = try warmPools.settings(name).spec
        if let ttlSeconds { spec.ttlSeconds = ttlSeconds }
        return try await acquire(pool: name, as: spec, test: test, timeout: timeout)
    }

    /// Hands over a waiting environment of `pool` as an environment of `spec` (the pool's spec
    /// but for name, labels and TTL: ``WarmPools/pool(matching:)``), or creates one of `spec`
    /// on a miss.
    func acquire(pool name: String, as spec: EnvironmentSpec, test: String?, timeout: Duration?) async throws -> PoolAcquisition {
        let started = ContinuousClock.now
        defer { refillPool(name) }
        if let environment = try await handOverWaiting(name, as: spec, test: test, since: started, take: { try warmPools.take(name) }) {
            broadcaster.emit(.progress, environment: environment.id, detail: "pool \(name): acquired (hit)")
            return PoolAcquisition(environment: environment, hit: true)
        }
        let choice = try registry.choose(for: spec)
        let environment = try await createNew(spec, on: choice, timeout: timeout, test: test)
        broadcaster.emit(.progress, environment: environment.id, detail: "pool \(name): created on demand (miss)")
        return PoolAcquisition(environment: environment, hit: false)
    }

    /// The manager's warm pools, by name.
    public func pools() -> [PoolStatus] {
        warmPools.statuses()
    }

    /// Stops refilling a pool, destroys its waiting environments (and those its refills finish
    /// meanwhile) and forgets it. Environments already handed out are not touched.
    ///
    /// - Returns: the ids destroyed.
    /// - Throws: `notFound` on `pool`.
    @discardableResult
    public func drainPool(_ name: String) async throws -> [String] {
        try await drainPool(name, checked: true)
    }

    /// - Parameter checked: whether `name` is checked as a user's pool name (a restore-ahead
    ///   pool's is not one).
    func drainPool(_ name: String, checked: Bool) async throws -> [String] {
        if checked { try PoolSettings.checkName(name, field: "name") }
        guard let ready = warmPools.startDrain(name) else {
            throw IsolationError(.notFound, field: "name", "no warm pool '\(name)'; `pools` lists them")
        }
        await withTaskGroup(of: Void.self) { group in
            for id in ready { group.addTask { try? await self.destroy(id) } }
        }
        // Creations in flight see the drain when they end and destroy what they made.
        while !warmPools.removeIfIdle(name) { await background.waitForAll([.poolRefills]) }
        broadcaster.emit(.progress, detail: "pool \(name): drained (\(ready.count) removed)")
        return ready.sorted()
    }

    /// Drains every pool; `shutdown()` calls it first.
    func drainAllPools() async {
        background.interruptDelays()
        for name in warmPools.names { _ = try? await drainPool(name, checked: false) }
        await background.waitForAll([.poolRefills, .backOffs])
    }

    /// Re-stamps a waiting environment as the acquirer's: its spec (name, labels, TTL), test
    /// label and pool state. The resources keep the labels they were made with: what the
    /// record's labels add is for `list`, and the expiry label stays the pool's (a cleanup
    /// without the database removes it sooner, never later).
    func handOver(_ id: String, as spec: EnvironmentSpec, test: String?) async throws -> Environment {
        let expiresAt = configuration.clock.now().addingTimeInterval(spec.ttlSeconds ?? configuration.defaultTTLSeconds)
        return try await store.updateEnvironment(id) { environment in
            guard environment.status == .ready, environment.waitsInPool else {
                throw IsolationError(.illegalTransition, "\(id) is \(environment.status), not waiting in its pool")
            }
            environment.labels.merge(spec.labels) { $1 }
            environment.labels[ResourceLabels.test] = test
            environment.spec = spec
            environment.details[Self.poolStateDetail] = "acquired"
            environment.expiresAt = expiresAt
        }
    }

    /// Hands over the first environment `take` gives that still waits in `pool` (a cleanup or
    /// another process's `rm` may have removed one), re-stamped as `spec`, and counts the hit
    /// with its time since `started`; `nil` when `take` finds none (its miss).
    func handOverWaiting(
        _ pool: String, as spec: EnvironmentSpec, test: String?, since started: ContinuousClock.Instant,
        take: () async throws -> String?
    ) async rethrows -> Environment? {
        while let id = try await take() {
            guard let environment = try? await handOver(id, as: spec, test: test) else { continue }
            let elapsed = ContinuousClock.now - started
            warmPools.recordHit(
                pool,
                nanoseconds: UInt64(max(0, elapsed.components.seconds)) * 1_000_000_000
                    + UInt64(max(0, elapsed.components.attoseconds / 1_000_000_000)))
            return environment
        }
        return nil
    }

    /// `details["pool.state"]`: `waiting` while in the pool, `acquired` once handed over.
    static let poolStateDetail = "pool.state"

    /// Starts as many creations as the pool lacks below `min` (bounded by `max` and its quota).
    func refillPool(_ name: String) {
        while let settings = warmPools.reserve(name) {
            background.start(.poolRefills) { [self] in
                // The quota reads the store, so it is asked here rather than under the pools' lock,
                // one creation at a time so each sees those admitted before it.
                var admitted = false
                if let quota = warmPools.quota(of: name) {
                    await warmPools.quotaTurns.take()
                    admitted = await quota.mayCreate(pool: name, creating: warmPools.admitted(name))
                    if admitted { warmPools.admit(name) }
                    warmPools.quotaTurns.pass()
                    guard admitted else { return warmPools.cancel(name) }
                }
                do {
                    let environment: Environment
                    if let snapshot = warmPools.snapshot(of: name) {
                        let restorable = Self.restorable(try await self.snapshot(named: snapshot))
                        environment = try await restoreNew(restorable, as: settings.spec, test: nil, timeout: nil, pool: name)
                    } else {
                        let choice = try registry.choose(for: settings.spec)
                        environment = try await createNew(settings.spec, on: choice, timeout: nil, test: nil, pool: name)
                    }
                    if warmPools.finish(name, created: environment.id, admitted: admitted) {
                        broadcaster.emit(.progress, environment: environment.id, detail: "pool \(name): ready")
                        refillPool(name)
                    } else {
                        try? await destroy(environment.id)
                    }
                } catch {
                    broadcaster.emit(.error, detail: "pool \(name): refill failed: \(error)")
                    guard let backOff = warmPools.fail(name, error: "\(error)", admitted: admitted) else { return }
                    background.startDelayed(by: backOff) { [self] waited in
                        warmPools.endBackOff(name)
                        // Interrupted: the manager is shutting down; nothing refills.
                        if waited { refillPool(name) }
                    }
                }
            }
        }
    }
}

extension Environment {
    /// Made for a warm pool and waiting there to be handed over (not in anyone's use yet).
    public var waitsInPool: Bool {
        details[IsolationManager.poolStateDetail] == "waiting"
    }
}
