import Foundation
import Synchronization

/// The warm pools of one manager: each pool's ready environments, the refills in flight, and its
/// counters, under one lock so that concurrent acquirers never take the same environment.
///
/// The lock is held only for bookkeeping; creating, recording and destroying happen outside it.
final class WarmPools: Sendable {
    struct Pool: Sendable {
        var settings: PoolSettings
        var engine: EngineKind
        var quota: (any PoolQuota)?
        /// The snapshot a restore-ahead pool restores (``IsolationManager/restore(_:cleanup:timeout:test:)``);
        /// `nil` for a pool of fresh environments.
        var snapshot: String?
        /// Ready environment ids, oldest first (handed out first, before their TTL runs down).
        var ready: [String] = []
        var creating = 0
        /// Creations under way that the pool's quota admitted (``quota(of:)``).
        var admitted = 0
        var hits = 0
        var misses = 0
        var failures = 0
        /// Failures in a row; the refill backs off 2^n seconds (at most a minute) after each.
        var failureStreak = 0
        var lastError: String?
        var backingOff = false
        /// The last hits' acquire times, in nanoseconds, at most `latencyWindow`.
        var latencies: [UInt64] = []
        var draining = false
        /// Takers waiting for a creation in flight to end (``takeOrAwait(_:)``).
        var creationWaiters: [CheckedContinuation<Void, Never>] = []
        /// How many refills keep ready: `min`, raised by one (up to `max`) by each miss, so a
        /// pool that runs dry under demand grows toward `max`.
        var target: Int

        init(settings: PoolSettings, engine: EngineKind, quota: (any PoolQuota)?, snapshot: String?) {
            self.settings = settings
            self.engine = engine
            self.quota = quota
            self.snapshot = snapshot
            self.target = settings.min
        }
    }

    static let latencyWindow = 1024
    private let state = Mutex<[String: Pool]>([:])

    /// Adds a pool, or changes the sizes and quota of one with the same name and spec.
    ///
    /// - Throws: `invalidSpec` on `spec` when a pool of that name holds another spec (drain it first).
    func configure(_ settings: PoolSettings, engine: EngineKind, quota: (any PoolQuota)?, snapshot: String? = nil) throws {
        try state.withLock { pools in
            if var pool = pools[settings.name] {
                guard pool.settings.spec == settings.spec, !pool.draining else {
                    throw IsolationError(
                        .invalidSpec, field: "spec",
                        "pool '\(settings.name)' holds another spec (or is draining); drain it first or use another name")
                }
                pool.settings = settings
                pool.quota = quota
                pool.target = Swift.min(Swift.max(pool.target, settings.min), settings.max)
                pools[settings.name] = pool
            } else {
                pools[settings.name] = Pool(settings: settings, engine: engine, quota: quota, snapshot: snapshot)
            }
        }
    }

    /// The snapshot a restore-ahead pool restores; `nil` for a pool of fresh environments (or none).
    func snapshot(of name: String) -> String? {
        state.withLock { $0[name]?.snapshot }
    }

    /// Whether `name` is a pool (not draining).
    func exists(_ name: String) -> Bool {
        state.withLock { $0[name].map { !$0.draining } ?? false }
    }

    func settings(_ name: String) throws -> PoolSettings {
        try state.withLock { pools in
            guard let pool = pools[name], !pool.draining else {
                throw IsolationError(.notFound, field: "pool", "no warm pool '\(name)'; configure it first (`pools` lists them)")
            }
            return pool.settings
        }
    }

    /// Takes the oldest ready environment, or counts a miss when there is none.
    func take(_ name: String) throws -> String? {
        try state.withLock { pools in
            guard var pool = pools[name], !pool.draining else {
                throw IsolationError(.notFound, field: "pool", "no warm pool '\(name)'; configure it first (`pools` lists them)")
            }
            defer { pools[name] = pool }
            guard case .taken(let id) = Self.take(from: &pool, waiting: false) else { return nil }
            return id
        }
    }

    /// Like ``take(_:)``, but when none is ready and one is being made, waits for it: a copy
    /// restored ahead that is half made is further along than a restore from scratch, which
    /// would also compete with it for the disk. `nil` (a miss, counted once) when none is ready
    /// or coming, or the pool is gone or draining.
    func takeOrAwait(_ name: String) async -> String? {
        while true {
            var outcome = Take.miss
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                outcome = state.withLock { pools -> Take in
                    guard var pool = pools[name], !pool.draining else { return .miss }
                    defer { pools[name] = pool }
                    let outcome = Self.take(from: &pool, waiting: true)
                    if case .wait = outcome { pool.creationWaiters.append(continuation) }
                    return outcome
                }
                // A waiter is resumed by the creation's end, its failure or a drain; the others at once.
                if case .wait = outcome { return }
                continuation.resume()
            }
            switch outcome {
            case .taken(let id): return id
            case .miss: return nil
            case .wait: continue
            }
        }
    }

    private enum Take { case taken(String), wait, miss }

    /// One taker's turn at `pool`: the oldest ready environment; else, for a taker `waiting` and
    /// a creation in flight, a wait; else a miss, counted. A taker that finds none ready grows
    /// the target by one (up to `max`): demand outran what was kept.
    private static func take(from pool: inout Pool, waiting: Bool) -> Take {
        if !pool.ready.isEmpty { return .taken(pool.ready.removeFirst()) }
        pool.target = Swift.min(pool.target + 1, pool.settings.max)
        if waiting, pool.creating > 0 { return .wait }
        pool.misses += 1
        return .miss
    }

    func recordHit(_ name: String, nanoseconds: UInt64) {
        state.withLock { pools in
            guard pools[name] != nil else { return }
            pools[name]!.hits += 1
            pools[name]!.latencies.append(nanoseconds)
            if pools[name]!.latencies.count > Self.latencyWindow { pools[name]!.latencies.removeFirst() }
        }
    }

    /// Reserves one creation when the pool is below its target, under `max`, not backing off or
    /// draining: the caller then asks its quota (``quota(of:)``, ``cancel(_:)`` when it refuses),
    /// creates, and calls ``finish(_:created:admitted:)`` or ``fail(_:error:admitted:)``.
    func reserve(_ name: String) -> PoolSettings? {
        state.withLock { pools in
            guard var pool = pools[name], !pool.draining, !pool.backingOff else { return nil }
            let live = pool.ready.count + pool.creating
            guard live < pool.target, live < pool.settings.max else { return nil }
            pool.creating += 1
            pools[name] = pool
            return pool.settings
        }
    }

    /// Ends a reserved creation. Returns `false` when the pool is draining (or gone): the caller
    /// then removes the environment itself.
    func finish(_ name: String, created id: String, admitted: Bool) -> Bool {
        state.withLock { pools in
            guard var pool = pools[name] else { return false }
            pool.creating -= 1
            if admitted { pool.admitted -= 1 }
            pool.failureStreak = 0
            pool.lastError = nil
            let kept = !pool.draining
            if kept { pool.ready.append(id) }
            let waiters = pool.creationWaiters
            pool.creationWaiters = []
            pools[name] = pool
            for waiter in waiters { waiter.resume() }
            return kept
        }
    }

    /// Quota checks take turns (across pools: pools of one owner share its quota), so each sees
    /// the creations admitted before it.
    let quotaTurns = AsyncTurns()

    /// The quota a reserved creation asks before it creates (``PoolQuota``); `nil` for a pool without one.
    func quota(of name: String) -> (any PoolQuota)? {
        state.withLock { $0[name]?.quota }
    }

    /// The pool's creations its quota admitted that have not ended yet.
    func admitted(_ name: String) -> Int {
        state.withLock { $0[name]?.admitted ?? 0 }
    }

    /// Counts a creation its quota admitted, until its ``finish(_:created:admitted:)`` or
    /// ``fail(_:error:admitted:)``: in the same step as its environment joins the ready ones, so
    /// a quota never misses it, and the refill that follows sees it counted once.
    func admit(_ name: String) {
        state.withLock { pools in pools[name]?.admitted += 1 }
    }

    /// Ends a reserved creation its quota refused: nothing was made, and nothing is counted.
    func cancel(_ name: String) {
        state.withLock { pools in
            guard var pool = pools[name] else { return }
            pool.creating -= 1
            for waiter in pool.creationWaiters { waiter.resume() }
            pool.creationWaiters = []
            pools[name] = pool
        }
    }

    /// Ends a reserved creation that failed; returns the back-off before the next refill, or
    /// `nil` when the pool is draining.
    func fail(_ name: String, error: String, admitted: Bool) -> Duration? {
        state.withLock { pools in
            guard var pool = pools[name] else { return nil }
            pool.creating -= 1
            if admitted { pool.admitted -= 1 }
            pool.failures += 1
            pool.failureStreak += 1
            pool.lastError = error
            for waiter in pool.creationWaiters { waiter.resume() }
            pool.creationWaiters = []
            defer { pools[name] = pool }
            guard !pool.draining else { return nil }
            pool.backingOff = true
            return .seconds(1 << Swift.min(pool.failureStreak - 1, 6))
        }
    }

    func endBackOff(_ name: String) {
        state.withLock { pools in pools[name]?.backingOff = false }
    }

    /// Marks the pool draining and takes its ready environments: no acquire or refill touches it after.
    func startDrain(_ name: String) -> [String]? {
        state.withLock { pools in
            guard var pool = pools[name] else { return nil }
            pool.draining = true
            let ready = pool.ready
            pool.ready = []
            for waiter in pool.creationWaiters { waiter.resume() }
            pool.creationWaiters = []
            pools[name] = pool
            return ready
        }
    }

    /// Forgets a drained pool once its creations in flight have ended.
    func removeIfIdle(_ name: String) -> Bool {
        state.withLock { pools in
            guard let pool = pools[name] else { return true }
            guard pool.creating == 0 else { return false }
            pools[name] = nil
            return true
        }
    }

    var names: [String] { state.withLock { Array($0.keys).sorted() } }

    /// The pool whose environments a `create` of `spec` may take: the same spec but for its
    /// name, labels and TTL (the hand-over gives the environment the asked ones), with every
    /// label of the pool's spec among the asked ones (a server's owner label: one owner never
    /// takes another's).
    func pool(matching spec: EnvironmentSpec) -> String? {
        // A restore-ahead pool's environments are copies of a snapshot, not fresh ones of its spec.
        guard !spec.reuse, !spec.shared else { return nil }
        var asked = spec
        asked.labels = [:]
        asked.ttlSeconds = nil
        asked.name = nil
        return state.withLock { pools in
            pools.values.filter { pool in
                var offered = pool.settings.spec
                let labels = offered.labels
                offered.labels = [:]
                offered.ttlSeconds = nil
                offered.name = nil
                return pool.snapshot == nil && !pool.draining && offered == asked
                    && labels.allSatisfy { spec.labels[$0.key] == $0.value }
            }.map(\.settings.name).min()
        }
    }

    func statuses() -> [PoolStatus] {
        state.withLock { pools in
            pools.values.filter { !$0.draining }.sorted { $0.settings.name < $1.settings.name }.map { pool in
                let sorted = pool.latencies.sorted()
                func quantile(_ q: Double) -> Double? {
                    guard !sorted.isEmpty else { return nil }
                    let index = Swift.min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))
                    return Double(sorted[index]) / 1_000_000
                }
                return PoolStatus(
                    name: pool.settings.name, spec: pool.settings.spec, engine: pool.engine, min: pool.settings.min, max: pool.settings.max,
                    target: pool.target,
                    ready: pool.ready.count, creating: pool.creating, hits: pool.hits, misses: pool.misses, failures: pool.failures,
                    lastError: pool.backingOff ? pool.lastError : nil, acquireMedianMs: quantile(0.5), acquireP99Ms: quantile(0.99))
            }
        }
    }
}
