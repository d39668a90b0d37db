import DockerAPI
import Foundation

/// A Docker snapshot is the container committed to a labelled image plus a copy of each
/// named volume it owns (DockerEngine+SnapshotVolumes.swift); restoring fills new volumes
/// from those copies and starts a new container from the image with the same spec.
extension DockerEngine {
    public func snapshot(_ environment: Environment, as snapshot: Snapshot) async throws -> EngineArtifact {
        // A stack is snapshotted whole: the main service alone would restore a different stack.
        if environment.spec.compose != nil { return try await snapshotStack(environment, as: snapshot) }
        return try await withClient { client in
            var labels = ResourceLabels.outliving(environment.labels)
            labels[ResourceLabels.cleanup] = environment.spec.cleanup.rawValue
            labels[ResourceLabels.snapshot] = snapshot.id
            let sources = try await self.ownedVolumeSources(of: environment, client: client)
            // A commit pauses the container only for itself. With volumes, it stays paused until
            // their copies are taken too, so the image and the volumes are of one moment.
            let state = try await client.inspectContainer(environment.location).state
            let pausedHere = !sources.isEmpty && state.running && !state.paused
            if pausedHere { try await client.pauseContainer(environment.location) }
            let artifact: EngineArtifact
            do {
                artifact = try await self.capture(environment, volumes: sources, as: snapshot, labels: labels, client: client)
            } catch {
                if pausedHere { try? await client.unpauseContainer(environment.location) }
                throw error
            }
            // The commit pauses the container itself; a daemon under load has been seen (CI) to
            // leave it paused when its own unpause failed. A container that ran before runs after.
            if !state.paused, try await client.inspectContainer(environment.location).state.paused {
                try await client.unpauseContainer(environment.location)
            }
            return artifact
        }
    }

    /// Commits the container and copies `volumes`; undoes both when either fails.
    private func capture(
        _ environment: Environment, volumes sources: [String], as snapshot: Snapshot, labels: [String: String], client: DockerClient
    ) async throws -> EngineArtifact {
        let committed = try await client.commitContainer(
            environment.location,
            options: CommitOptions(
                repository: Self.snapshotRepository, tag: snapshot.id, comment: snapshot.name,
                changes: Self.secretBlankingChanges(of: environment.spec) + (await imageCommandChanges(of: environment, client: client)),
                labels: labels))
        let image: String
        do {
            image = try await withoutSecretValues(
                committed, reference: "\(Self.snapshotRepository):\(snapshot.id)", spec: environment.spec, client: client)
        } catch {
            _ = try? await client.removeImage(committed, force: true)
            throw error
        }
        var details = environment.details
        details["snapshot_image"] = image
        do {
            try await snapshotVolumes(
                sources.map { ($0, Self.volumeName($0, of: environment)) }, of: environment, snapshot: snapshot, image: image,
                labels: labels, client: client)
            details[Self.snapshotVolumesKey] = sources.isEmpty ? nil : sources.joined(separator: ",")
        } catch {
            try? await removeSnapshotResources(snapshot.id, image: image, client: client)
            throw error
        }
        return EngineArtifact(location: image, details: details)
    }

    /// A sandbox's container runs `sleep` in place of its image's CMD, and a commit would record
    /// that; its snapshot image gets the image's CMD back, so used elsewhere (an import, a job,
    /// a service) it runs what its image ran. A restore of the sandbox passes `sleep` again.
    /// Docker cannot commit an empty CMD, so an image without one keeps the `sleep`.
    private func imageCommandChanges(of environment: Environment, client: DockerClient) async -> [String] {
        guard environment.spec.command == nil, Self.containerCommand(of: environment.spec) != nil,
            let container = try? await client.inspectContainer(environment.location),
            let command = try? await client.inspectImage(container.image).config?.cmd, !command.isEmpty
        else { return [] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(command)).map { ["CMD " + String(decoding: $0, as: UTF8.self)] } ?? []
    }

    public func restore(_ snapshot: Snapshot, into environment: Environment) async throws -> EngineArtifact {
        if let stack = try StackSnapshotRecord(snapshot) { return try await restoreStack(snapshot, stack, into: environment) }
        var restored = environment
        restored.spec.image = snapshot.location
        // On failure the manager destroys the environment, which removes these volumes by label.
        try await withClient { try await self.restoreVolumes(of: snapshot, into: environment, client: $0) }
        // The image has the spec's requirements already: they are not installed again.
        var artifact = try await create(restored, installing: false)
        artifact.details["restored_from"] = snapshot.name
        return artifact
    }

    public func deleteSnapshot(_ snapshot: Snapshot) async throws {
        let images = try Self.snapshotImages(of: snapshot, id: snapshot.id)
        try await withClient { try await self.removeSnapshotResources(snapshot.id, images: images, client: $0) }
    }

    /// The images a snapshot holds, each with the tag that holds it for the snapshot `id`: one, or a stack's one per service.
    static func snapshotImages(of snapshot: Snapshot, id: String) throws -> [(tag: String, image: String)] {
        guard let stack = try StackSnapshotRecord(snapshot) else { return [("\(snapshotRepository):\(id)", snapshot.location)] }
        return stack.images.map { (StackSnapshotRecord.tag(id, service: $0.service), $0.image) }
    }

    func removeSnapshotResources(_ snapshotID: String, image: String, client: DockerClient) async throws {
        try await removeSnapshotResources(snapshotID, images: [("\(Self.snapshotRepository):\(snapshotID)", image)], client: client)
    }

    /// Removes the snapshot's tags (an image goes with its last tag; another snapshot imported from
    /// the same image keeps it) and its volume copies.
    func removeSnapshotResources(_ snapshotID: String, images: [(tag: String, image: String)], client: DockerClient) async throws {
        for (tag, image) in images {
            do {
                try await client.removeImage(tag, force: true)
            } catch let error as DockerError where error.code == .notFound {
                // A stack's service whose commit never happened has a tag to look for and no image.
                guard !image.isEmpty else { continue }
                do {
                    try await client.removeImage(image, force: true)
                } catch let error as DockerError where error.code == .notFound {}
            }
        }
        try await removeSnapshotVolumes(snapshotID, client: client)
    }
}
