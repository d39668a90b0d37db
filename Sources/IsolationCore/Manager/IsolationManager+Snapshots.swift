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
        let (environment, engine) = try usable(id)
        guard engine.capabilities.contains(.snapshots) else { throw engine.unsupported(.snapshots) }
        let snapshotID = "snap-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let name = name ?? "\(id)-\(Int(Date().timeIntervalSince1970))"
        if try store.snapshot(name) != nil {
            throw IsolationError(.invalidSpec, field: "name", "a snapshot named '\(name)' exists; pick another name or delete it")
        }
        var snapshot = Snapshot(
            id: snapshotID, name: name, engine: environment.engine, sourceEnvironment: id, spec: environment.spec, createdAt: Date(),
            location: "")
        if temporary { snapshot.session = configuration.session }
        let pending = snapshot
        let artifact = try await bounded(timeout, "snapshotting \(id)") { try await engine.snapshot(environment, as: pending) }
        snapshot.location = artifact.location
        snapshot.details = artifact.details
        do {
            try store.insertSnapshot(snapshot)
        } catch {
            try? await engine.deleteSnapshot(snapshot)
            throw error
        }
        broadcaster.emit(.snapshotCreated, environment: id, snapshot: snapshot.id, detail: name)
        return snapshot
    }

    public func snapshots() throws -> [Snapshot] {
        try store.snapshots()
    }

    public func snapshot(named idOrName: String) throws -> Snapshot {
        guard let snapshot = try store.snapshot(idOrName) else {
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
        var chosen = try snapshot(named: idOrName)
        if chosen.spec.reuse {
            // A copy of a reused environment is the restorer's own, not shared with later runs.
            chosen.spec.reuse = false
            chosen.spec.cleanup = .endOfSession
        }
        // A copy of a session-shared environment is the restorer's own too.
        chosen.spec.shared = false
        // Names are unique among live environments and the source may still be one: a copy is unnamed.
        chosen.spec.name = nil
        if let cleanup { chosen.spec.cleanup = cleanup }
        let snapshot = chosen
        guard let engine = registry.engine(snapshot.engine) else {
            throw IsolationError(.engineUnavailable, "snapshot \(snapshot.name) needs the \(snapshot.engine) engine")
        }
        try await attachReaper()
        let pending = newEnvironment(snapshot.spec, engine: snapshot.engine, test: test)
        let id = pending.id
        try store.insertEnvironment(pending, maxLive: configuration.maxLiveEnvironments)
        broadcaster.emit(.progress, environment: id, snapshot: snapshot.id, detail: "restoring \(snapshot.name) on \(snapshot.engine)")
        do {
            let artifact = try await bounded(timeout, "restoring \(snapshot.name)") { try await engine.restore(snapshot, into: pending) }
            let environment = try move(id, to: .ready) {
                $0.location = artifact.location
                $0.details = artifact.details
            }
            broadcaster.emit(.snapshotRestored, environment: id, snapshot: snapshot.id, detail: snapshot.name)
            return environment
        } catch {
            try? await engine.destroy(pending)
            _ = try? move(id, to: .failed) { $0.failure = "\(error)" }
            broadcaster.emit(.error, environment: id, snapshot: snapshot.id, detail: "\(error)")
            throw error
        }
    }

    public func deleteSnapshot(_ idOrName: String) async throws {
        let snapshot = try snapshot(named: idOrName)
        if let engine = registry.engine(snapshot.engine) {
            try await engine.deleteSnapshot(snapshot)
        }
        try store.deleteSnapshot(snapshot.id)
        broadcaster.emit(.snapshotDeleted, snapshot: snapshot.id, detail: snapshot.name)
    }

    /// Writes a snapshot to a single archive file.
    public func exportSnapshot(_ idOrName: String, to file: URL, timeout: Duration? = nil) async throws {
        let snapshot = try snapshot(named: idOrName)
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
        snapshot.createdAt = Date()
        // An imported snapshot is the importer's to keep, whatever session made the original.
        snapshot.session = nil
        if try store.snapshot(snapshot.name) != nil {
            throw IsolationError(.invalidSpec, field: "name", "a snapshot named '\(snapshot.name)' exists; import it under another name")
        }
        let pending = snapshot
        let artifact = try await bounded(timeout, "importing \(file.path)") { try await engine.importSnapshot(from: file, as: pending) }
        snapshot.location = artifact.location
        snapshot.details = artifact.details
        try store.insertSnapshot(snapshot)
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
            return try StatePayload.decode(Snapshot.self, from: SnapshotArchiveFile.contents(of: record, in: file))
        } catch {
            throw IsolationError(.snapshotFailed, "\(file.path): its snapshot.json is not a snapshot record (\(error))")
        }
    }
}
