import DockerAPI
public import Foundation

/// Snapshots are private copies (reflinks where the filesystem has them)
/// of an environment's venv and working directory under `snapshots/<id>`,
/// with a `snapshot.json` that lets an exported archive be read anywhere.
extension VirtualenvEngine {
    var snapshotRoot: URL { home.appendingPathComponent("snapshots") }

    public func snapshot(_ environment: Environment, as snapshot: Snapshot) async throws -> EngineArtifact {
        let source = directory(of: environment)
        let destination = snapshotRoot.appendingPathComponent(snapshot.id)
        try FileManager.default.createDirectory(at: snapshotRoot, withIntermediateDirectories: true)
        try TreeCopier.clone(source, to: destination, mode: .privateFiles, rewriting: source.path, with: destination.path)
        try? FileManager.default.removeItem(at: destination.appendingPathComponent("environment.json"))
        var record = snapshot
        record.location = destination.path
        try TreeCopier.writeFile(destination.appendingPathComponent("snapshot.json").path, StatePayload.encode(record))
        return EngineArtifact(location: destination.path, details: environment.details)
    }

    public func restore(_ snapshot: Snapshot, into environment: Environment) async throws -> EngineArtifact {
        let source = URL(fileURLWithPath: snapshot.location)
        let destination = home.appendingPathComponent("envs").appendingPathComponent(environment.id)
        guard FileManager.default.fileExists(atPath: source.appendingPathComponent("venv").path) else {
            throw IsolationError(.snapshotFailed, "snapshot \(snapshot.name): its data at \(source.path) is missing")
        }
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        try TreeCopier.clone(source, to: destination, mode: .privateFiles, rewriting: source.path, with: destination.path)
        try? FileManager.default.removeItem(at: destination.appendingPathComponent("snapshot.json"))
        var restored = environment
        restored.location = destination.path
        try writeMetadata(restored, to: destination)
        var details = snapshot.details
        details["restored_from"] = snapshot.name
        details["template"] = nil
        return EngineArtifact(location: destination.path, details: details)
    }

    public func deleteSnapshot(_ snapshot: Snapshot) async throws {
        guard FileManager.default.fileExists(atPath: snapshot.location) else { return }
        do {
            try FileManager.default.removeItem(atPath: snapshot.location)
        } catch {
            throw IsolationError(.ioFailure, "removing snapshot data \(snapshot.location): \(error)")
        }
    }

    public func exportSnapshot(_ snapshot: Snapshot, to file: URL) async throws {
        do {
            let tar = try TarArchive.archive(directory: URL(fileURLWithPath: snapshot.location))
            try tar.write(to: file, options: .atomic)
        } catch let error as IsolationError {
            throw error
        } catch {
            throw IsolationError(.snapshotFailed, "exporting snapshot \(snapshot.name) to \(file.path): \(error)")
        }
    }

    public func importSnapshot(from file: URL, as snapshot: Snapshot) async throws -> EngineArtifact {
        let staging = snapshotRoot.appendingPathComponent(".import-\(snapshot.id)")
        let destination = snapshotRoot.appendingPathComponent(snapshot.id)
        defer { try? FileManager.default.removeItem(at: staging) }
        do {
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            try TarArchive.extract(try Data(contentsOf: file), to: staging)
            let original = try StatePayload.decode(Snapshot.self, from: Data(contentsOf: staging.appendingPathComponent("snapshot.json")))
                .withUpgradedDetails()
            try TreeCopier.clone(staging, to: destination, mode: .privateFiles, rewriting: original.location, with: destination.path)
            var record = snapshot
            record.location = destination.path
            try StatePayload.encode(record).write(to: destination.appendingPathComponent("snapshot.json"))
            return EngineArtifact(location: destination.path, details: original.details)
        } catch let error as IsolationError {
            throw error
        } catch {
            throw IsolationError(.snapshotFailed, "importing \(file.path): not a ptest-iso snapshot archive (\(error))")
        }
    }
}
