import DockerAPI
public import Foundation

/// A Docker snapshot is the container committed to a labelled image;
/// restoring starts a new container from that image with the same spec.
extension DockerEngine {
    public func snapshot(_ environment: Environment, as snapshot: Snapshot) async throws -> EngineArtifact {
        try await withClient { client in
            var labels = ResourceLabels.outliving(environment.labels)
            labels[ResourceLabels.cleanup] = environment.spec.cleanup.rawValue
            labels[ResourceLabels.snapshot] = snapshot.id
            let image = try await client.commitContainer(
                environment.location,
                options: CommitOptions(
                    repository: "ptest-iso-snapshot", tag: snapshot.id, comment: snapshot.name,
                    changes: Self.secretBlankingChanges(of: environment.spec), labels: labels))
            var details = environment.details
            details["snapshotImage"] = image
            return EngineArtifact(location: image, details: details)
        }
    }

    public func restore(_ snapshot: Snapshot, into environment: Environment) async throws -> EngineArtifact {
        var restored = environment
        restored.spec.image = snapshot.location
        var artifact = try await create(restored)
        artifact.details["restoredFrom"] = snapshot.name
        return artifact
    }

    public func deleteSnapshot(_ snapshot: Snapshot) async throws {
        try await withClient { client in
            do {
                try await client.removeImage(snapshot.location, force: true)
            } catch let error as DockerError where error.code == .notFound {}
        }
    }

    public func exportSnapshot(_ snapshot: Snapshot, to file: URL) async throws {
        throw IsolationError(
            .snapshotFailed, "exporting Docker snapshots to a file is not supported yet; keep the image \(snapshot.location)")
    }

    public func importSnapshot(from file: URL, as snapshot: Snapshot) async throws -> EngineArtifact {
        throw IsolationError(.snapshotFailed, "importing Docker snapshots from a file is not supported yet")
    }
}
