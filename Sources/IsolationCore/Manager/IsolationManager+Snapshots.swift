public import Foundation

extension IsolationManager {
    /// Takes a named, persistent restore point of an environment.
    ///
    /// - Parameter temporary: the snapshot belongs to this manager's session and is deleted with
    ///   it: by ``cleanup(_:dryRun:now:)`` of the session, as its reaper does when the session's
    ///   processes are gone (a fixture's snapshot must not outlive the run that made it).
    /// - Throws: `invalidSpec` when the name is taken, `snapshotFailed`, `engineUnavailable`.
    public func snapshot(_ id: String, name: String? = nil, timeout: Duration? = nil, temporary: Bool = false) async throws -> Snapshot {
        // A stack is snapshotted whole, by its id.
        try refuseServiceAddress(id)
        let (environment, engine) = try await usable(id)
        guard engine.capabilities.contains(.snapshots) else { throw engine.unsupported(.snapshots) }
        let snapshotID = "snap-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let name = name ?? "\(id)-\(Int(configuration.clock.now().timeIntervalSince1970))"
        if try await store.snapshot(name) != nil {
            throw IsolationError(.invalidSpec, field: "name", "a snapshot named '\(name)' exists; pick another name or delete it")
        }
        var snapshot = Snapshot(
            id: snapshotID, name: name, engine: environment.engine, sourceEnvironment: id, spec: environment.spec,
            createdAt: configuration.clock.now(),
            location: "")
        if temporary { snapshot.session = configuration.session }
        let pending = snapshot
        let artifact = try await bounded(timeout, "snapshotting \(id)") { try await engine.snapshot(environment, as: pending) }
        snapshot.location = artifact.location
        snapshot.details = artifact.details
        do {
            try await store.insertSnapshot(snapshot)
        } catch {
            try? await engine.deleteSnapshot(snapshot)
            throw error
        }
        broadcaster.emit(.snapshotCreated, environment: id, snapshot: snapshot.id, detail: name)
        return snapshot
    }

    public func snapshots() async throws -> [Snapshot] {
        try await store.snapshots()
    }

    public func snapshot(named idOrName: String) async throws -> Snapshot {
        guard let snapshot = try await store.snapshot(idOrName) else {
            throw IsolationError(.notFound, "no snapshot '\(idOrName)'; `ptest-iso snapshot ls` lists them")
        }
        return snapshot
    }

    /// Creates a new environment from a snapshot (same spec, restored files and packages).
    ///
    /// - Parameter cleanup: replaces the snapshot's cleanup policy, for a restorer
    ///   whose session ends at once (the CLI) and must not take the environment with it.
    /// - Parameter test: as for ``create(_:timeout:test:)``.
    public func restore(
        _ idOrName: String, cleanup: CleanupPolicy? = nil, timeout: Duration? = nil, test: String? = nil
    ) async throws -> Environment {
        try Self.validate(test: test)
        let snapshot = Self.restorable(try await snapshot(named: idOrName))
        var spec = snapshot.spec
        if let cleanup { spec.cleanup = cleanup }
        // A venv's restore is a copy of files, which a copy made ahead takes off the critical path. A
        // container's is a start, which the Docker engine's standbys already take off it when asked.
        guard configuration.restoreAheadDepth > 0, snapshot.engine == .virtualenv else {
            return try await restoreNew(snapshot, as: spec, test: test, timeout: timeout)
        }
        // A copy made ahead is handed over; then (or after the first restore, a miss) the next is made.
        // A restore that failed keeps none ahead: what failed it (a full disk) would fail them too.
        let started = ContinuousClock.now
        let pool = Self.restorePoolName(snapshot.id)
        if let environment = await handOverWaiting(pool, as: spec, test: test, since: started, take: { await warmPools.takeOrAwait(pool) })
        {
            keepRestoredAhead(snapshot)
            broadcaster.emit(
                .snapshotRestored, environment: environment.id, snapshot: snapshot.id, detail: "\(snapshot.name) (restored ahead)")
            return environment
        }
        let environment = try await restoreNew(snapshot, as: spec, test: test, timeout: timeout)
        keepRestoredAhead(snapshot)
        return environment
    }

    /// The snapshot as its copies are made: the restorer's own environments.
    static func restorable(_ chosen: Snapshot) -> Snapshot {
        var snapshot = chosen
        if snapshot.spec.reuse {
            // A copy of a reused environment is the restorer's own, not shared with later runs.
            snapshot.spec.reuse = false
            snapshot.spec.cleanup = .endOfSession
        }
        // A copy of a session-shared environment is the restorer's own too.
        snapshot.spec.shared = false
        // Names are unique among live environments and the source may still be one: a copy is unnamed.
        snapshot.spec.name = nil
        return snapshot
    }

    /// The restore-ahead pool of a snapshot: not a name `configure_pool` accepts, so no user pool takes it.
    static func restorePoolName(_ snapshot: String) -> String {
        "restore:\(snapshot)"
    }

    /// Makes copies of `snapshot` ahead, until as many wait as are kept (one, up to
    /// ``Configuration/restoreAheadDepth`` as misses show demand).
    private func keepRestoredAhead(_ snapshot: Snapshot) {
        let name = Self.restorePoolName(snapshot.id)
        if !warmPools.exists(name) {
            let settings = PoolSettings(name: name, spec: snapshot.spec, min: 1, max: configuration.restoreAheadDepth)
            guard (try? warmPools.configure(settings, engine: snapshot.engine, quota: nil, snapshot: snapshot.id)) != nil else { return }
        }
        refillPool(name)
    }

    /// Restores a new environment of `spec` from `snapshot`; with `pool`, one that waits there.
    func restoreNew(
        _ snapshot: Snapshot, as spec: EnvironmentSpec, test: String?, timeout: Duration?, pool: String? = nil
    ) async throws -> Environment {
        guard let engine = registry.engine(snapshot.engine) else {
            throw IsolationError(.engineUnavailable, "snapshot \(snapshot.name) needs the \(snapshot.engine) engine")
        }
        try await attachReaper()
        var record = newEnvironment(spec, engine: snapshot.engine, test: test)
        if let pool {
            record.labels[ResourceLabels.pool] = pool
            record.details[Self.poolStateDetail] = "waiting"
        }
        let pending = record
        let id = pending.id
        try await store.insertEnvironment(pending, maxLive: configuration.maxLiveEnvironments)
        broadcaster.emit(.progress, environment: id, snapshot: snapshot.id, detail: "restoring \(snapshot.name) on \(snapshot.engine)")
        do {
            let artifact = try await bounded(timeout, "restoring \(snapshot.name)") { try await engine.restore(snapshot, into: pending) }
            let environment = try await move(id, to: .ready) {
                $0.location = artifact.location
                $0.details = artifact.details
                if pool != nil { $0.details[Self.poolStateDetail] = "waiting" }
            }
            // A copy made ahead is restored for nobody yet: its hand-over is the restore event.
            if pool == nil { broadcaster.emit(.snapshotRestored, environment: id, snapshot: snapshot.id, detail: snapshot.name) }
            return environment
        } catch {
            try? await engine.destroy(pending)
            _ = try? await move(id, to: .failed) { $0.failure = "\(error)" }
            broadcaster.emit(.error, environment: id, snapshot: snapshot.id, detail: "\(error)")
            throw error
        }
    }

    public func deleteSnapshot(_ idOrName: String) async throws {
        let snapshot = try await snapshot(named: idOrName)
        // Its copies made ahead go first: none may be handed out from a snapshot that is gone.
        _ = try? await drainPool(Self.restorePoolName(snapshot.id), checked: false)
        if let engine = registry.engine(snapshot.engine) {
            try await engine.deleteSnapshot(snapshot)
        }
        try await store.deleteSnapshot(snapshot.id)
        broadcaster.emit(.snapshotDeleted, snapshot: snapshot.id, detail: snapshot.name)
    }

    /// Writes a snapshot to a single archive file.
    public func exportSnapshot(_ idOrName: String, to file: URL, timeout: Duration? = nil) async throws {
        let snapshot = try await snapshot(named: idOrName)
        guard let engine = registry.engine(snapshot.engine) else {
            throw IsolationError(.engineUnavailable, "snapshot \(snapshot.name) needs the \(snapshot.engine) engine")
        }
        try SnapshotArchiveFile.requireWritable(file)
        try await bounded(timeout, "exporting \(snapshot.name)") { try await engine.exportSnapshot(snapshot, to: file) }
    }

    /// Reads a snapshot archive made by ``exportSnapshot(_:to:)``, under `name` (default: its own name).
    public func importSnapshot(from file: URL, name: String? = nil, timeout: Duration? = nil) async throws -> Snapshot {
        let manifest = try Self.readManifest(file)
        guard let engine = registry.engine(manifest.engine) else {
            throw IsolationError(.engineUnavailable, "the archive holds a \(manifest.engine) snapshot; that engine is not registered")
        }
        var snapshot = manifest
        snapshot.id = "snap-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        snapshot.name = name ?? manifest.name
        snapshot.createdAt = configuration.clock.now()
        // An imported snapshot is the importer's to keep, whatever session made the original.
        snapshot.session = nil
        if try await store.snapshot(snapshot.name) != nil {
            throw IsolationError(.invalidSpec, field: "name", "a snapshot named '\(snapshot.name)' exists; import it under another name")
        }
        let pending = snapshot
        let artifact = try await bounded(timeout, "importing \(file.path)") { try await engine.importSnapshot(from: file, as: pending) }
        snapshot.location = artifact.location
        snapshot.details = artifact.details
        try await store.insertSnapshot(snapshot)
        broadcaster.emit(.snapshotCreated, snapshot: snapshot.id, detail: "imported \(snapshot.name)")
        return snapshot
    }

    /// The archive's own record (`snapshot.json`), found by walking the tar's headers: the
    /// rest, which may hold a whole image, is skipped, not read.
    static func readManifest(_ file: URL) throws -> Snapshot {
        let found = try SnapshotArchiveFile.members(of: file) { $0.name == "snapshot.json" }
        guard let record = found.last, record.name == "snapshot.json" else {
            throw IsolationError(.snapshotFailed, "\(file.path) has no snapshot.json; it is not a ptest-iso snapshot archive")
        }
        do {
            return try StatePayload.decode(Snapshot.self, from: SnapshotArchiveFile.contents(of: record, in: file)).withUpgradedDetails()
        } catch {
            throw IsolationError(.snapshotFailed, "\(file.path): its snapshot.json is not a snapshot record (\(error))")
        }
    }
}
