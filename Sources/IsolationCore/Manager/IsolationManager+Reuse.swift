import Foundation

/// Environments shared across runs (``EnvironmentSpec/reuse``, decision 0007) and within one
/// session (``EnvironmentSpec/shared``).
///
/// Processes find or make the environment of a key one at a time, under a file lock per key in
/// the state directory (``SharingPlace/lockURL``), and check the shared database only while
/// holding it: several pytest-xdist workers asking at once end with exactly one. The lock is
/// waited for by polling with a sleep (``FileLock/acquireNamed(_:timeout:)``), so no Swift
/// concurrency thread is blocked; it is let go when its holder dies.
///
/// A TTL-based removal (``cleanup(_:dryRun:now:)`` of expired leftovers, ``destroyExpired(now:timeout:)``)
/// takes the same lock and checks the expiry again, so a run that renews the environment and a
/// sweep that removes it never overlap.
extension IsolationManager {
    /// The statuses in which a shared environment is handed out again (as it is: a stopped or
    /// paused one stays so, it may be another process's test at work).
    static let reusableStatuses: Set<EnvironmentStatus> = [.ready, .running, .stopped, .paused]

    /// The shared environment of `spec` (checked, with `reuse` or `shared`) on the chosen engine:
    /// found, or made.
    func acquireShared(
        _ spec: EnvironmentSpec, on choice: (engine: any IsolationEngine, reason: String), timeout: Duration?, test: String?
    ) async throws -> Environment {
        var spec = spec
        let place: SharingPlace
        if spec.reuse {
            // It belongs to no run: its TTL, `ptest-iso rm` or a cleanup end it, never a session's end.
            spec.cleanup = .afterTTL
            place = .reuse(try spec.reuseKey(engine: choice.engine.kind), home: configuration.home)
        } else {
            place = .session(configuration.session, key: try spec.reuseKey(engine: choice.engine.kind), home: configuration.home)
            // A process that only finds the environment uses it as much as the one that made it:
            // it keeps the session's reaper from ending the session while it runs.
            try await attachReaper()
        }
        let started = ContinuousClock.now
        let lock = try await lockShared(place, timeout: timeout)
        defer { lock.release() }
        if let found = try await usableShared(place, engine: choice.engine), let renewed = try await renew(found, for: spec, in: place) {
            let what = spec.reuse ? "reused, its TTL renewed (reuse key" : "shared in session \(place.session) (key"
            broadcaster.emit(.progress, environment: renewed.id, detail: "\(what) \(place.key.prefix(12)))")
            return renewed
        }
        var remaining: Duration?
        if let timeout {
            remaining = timeout - (ContinuousClock.now - started)
            guard let left = remaining, left > .zero else {
                throw IsolationError(.timeout, "creating the \(place.noun) did not finish within \(timeout)")
            }
        }
        return try await createNew(spec, on: choice, timeout: remaining, test: test, sharing: place)
    }

    /// Takes the lock of `place`, waiting (without blocking a thread) while another process finds or
    /// makes that environment.
    private func lockShared(_ place: SharingPlace, timeout: Duration?) async throws -> FileLock {
        let url = place.lockURL
        let limit = timeout ?? .seconds(900)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            return try await FileLock.acquireNamed(url, timeout: limit)
        } catch is CancellationError {
            throw IsolationError(.cancelled, "waiting for the \(place.noun)'s lock \(url.path) was cancelled")
        } catch let error as IsolationError where error.code == .timeout {
            throw IsolationError(.timeout, "waited \(limit) while another process made the \(place.noun) of this spec (lock \(url.path))")
        } catch let error as IsolationError {
            throw error
        } catch {
            throw IsolationError(.ioFailure, "\(url.deletingLastPathComponent().path): cannot create the lock directory: \(error)")
        }
    }

    /// The live environment of `place` that can be handed out, if any. The caller holds the key's
    /// lock, so a record of the key still `creating` is what a creator that died left: it is
    /// destroyed, as are failed ones and ones whose resources are gone or stale
    /// (``IsolationEngine/reuseProblem(_:)``).
    private func usableShared(_ place: SharingPlace, engine: any IsolationEngine) async throws -> Environment? {
        let candidates = try await list(place.filter)
        var found: Environment?
        for candidate in candidates where candidate.status != .destroying {
            if found == nil, Self.reusableStatuses.contains(candidate.status) {
                let problem = try await engine.reuseProblem(candidate)
                guard let problem else {
                    found = candidate
                    continue
                }
                broadcaster.emit(.progress, environment: candidate.id, detail: "not reused: \(problem); replacing it")
            }
            do {
                try await destroy(candidate.id)
            } catch {
                broadcaster.emit(.error, environment: candidate.id, detail: "removing a \(place.noun) that is not usable: \(error)")
            }
        }
        return found
    }

    /// Renews the expiry of a found environment for `spec`'s TTL (never shortening it); `nil`
    /// when it stopped being usable meanwhile (`ptest-iso rm`, which takes no lock).
    private func renew(_ environment: Environment, for spec: EnvironmentSpec, in place: SharingPlace) async throws -> Environment? {
        let wanted = configuration.clock.now().addingTimeInterval(spec.ttlSeconds ?? configuration.defaultTTLSeconds)
        let detail = place.label == ResourceLabels.reuse ? "reuse" : "shared"
        do {
            return try await store.updateEnvironment(environment.id) { current in
                guard Self.reusableStatuses.contains(current.status) else {
                    throw IsolationError(.illegalTransition, "environment \(current.id) is \(current.status.rawValue)")
                }
                if current.expiresAt.map({ $0 < wanted }) ?? false { current.expiresAt = wanted }
                current.details[detail] = "found"
            }
        } catch let error as IsolationError where error.code == .illegalTransition {
            return nil
        }
    }

    /// Whether a shared environment's TTL-based removal may go ahead: runs `removal` under its
    /// key's lock once the record, read again there, is still live and expired at `now`.
    /// Returns `false` (nothing done) while a process holds the lock (it is being handed out, so
    /// renewed) or when it was renewed or removed meanwhile.
    func removeIfStillExpired(_ environment: Environment, now: Date, _ removal: () async throws -> Void) async rethrows -> Bool {
        guard let place = SharingPlace.of(environment, home: configuration.home) else {
            try await removal()
            return true
        }
        try? FileManager.default.createDirectory(at: place.lockURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        guard let lock = FileLock.tryAcquireNamed(place.lockURL) else { return false }
        defer { lock.release() }
        guard let current = try? await get(environment.id), current.status.isLive, current.expiresAt.map({ $0 <= now }) ?? false else {
            return false
        }
        try await removal()
        await removeLockFile(of: place, held: lock)
        return true
    }

    /// Deletes the lock file of `place` once no live environment has its key, while holding the
    /// lock (`held`, or taken here without waiting): a process that opened the file before the
    /// deletion sees it is no longer named and retries on a new one (``FileLock/acquireNamed(_:timeout:)``).
    func removeLockFile(of place: SharingPlace, held: FileLock? = nil) async {
        let url = place.lockURL
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        guard let lock = held ?? FileLock.tryAcquireNamed(url) else { return }
        defer { if held == nil { lock.release() } }
        guard let live = try? await list(place.filter), live.isEmpty else { return }
        try? FileManager.default.removeItem(at: url)
    }
}
