import DockerAPI
public import Foundation

/// A Docker snapshot as one file: a tar of `snapshot.json` (the record, first, so it can be
/// read without the rest), `image.tar` (`docker save` of the image, or of a stack's images
/// together, their shared layers once) and `volumes/<source>.tar` (each volume copy, rooted at
/// `v/`). Everything streams between the daemon and the file.
extension DockerEngine {
    public func exportSnapshot(_ snapshot: Snapshot, to file: URL) async throws {
        let stack: StackSnapshotRecord?
        do {
            stack = try StackSnapshotRecord(snapshot)
        } catch {
            throw Self.snapshotFailure(error, "exporting snapshot \(snapshot.name) to \(file.path)")
        }
        // Written beside the target and renamed at the end, so a failed export leaves no half file under its name.
        let partial = file.deletingLastPathComponent().appendingPathComponent(
            ".\(file.lastPathComponent).\(UUID().uuidString.prefix(8)).partial")
        do {
            let writer = try TarFile.Writer(creating: partial)
            do {
                try await writer.add("snapshot.json", contents: StatePayload.encode(snapshot))
                try await withClient { client in
                    try await writer.add("image.tar") { output in
                        // Saved by id, so a load names no tag: the importer tags them for its own snapshot.
                        if let stack {
                            _ = try await client.saveImages(stack.images.map(\.image), into: output)
                        } else {
                            _ = try await client.saveImage(snapshot.location, into: output)
                        }
                    }
                    let sources = Self.snapshotVolumeSources(snapshot)
                    let mounts = sources.enumerated().map { index, source in
                        ContainerSpec.Mount.volume(
                            Self.snapshotVolumeName(source, snapshot: snapshot.id), at: "\(Self.copyRoot)/from\(index)/v", readOnly: true)
                    }
                    let image = try await client.inspectImage(snapshot.location)
                    try await self.withVolumeHelper(
                        image: snapshot.location, mounts: mounts, labels: Self.snapshotResourceLabels(image, snapshot: snapshot.id),
                        client: client
                    ) { helper in
                        for (index, source) in sources.enumerated() {
                            try await writer.add("volumes/\(source).tar") {
                                _ = try await client.getArchive(helper, path: "\(Self.copyRoot)/from\(index)/v", into: $0)
                            }
                        }
                    }
                }
                try writer.finish()
            } catch {
                writer.abandon()
                throw error
            }
            if FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
            try FileManager.default.moveItem(at: partial, to: file)
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw Self.snapshotFailure(error, "exporting snapshot \(snapshot.name) to \(file.path)")
        }
    }

    public func importSnapshot(from file: URL, as snapshot: Snapshot) async throws -> EngineArtifact {
        do {
            let members = try SnapshotArchiveFile.members(of: file)
            guard let record = members.first(where: { $0.name == "snapshot.json" }),
                let imageTar = members.first(where: { $0.name == "image.tar" })
            else {
                throw IsolationError(
                    .snapshotFailed, "\(file.path) has no snapshot.json and image.tar; it is not a Docker snapshot archive")
            }
            let original = try StatePayload.decode(Snapshot.self, from: SnapshotArchiveFile.contents(of: record, in: file))
                .withUpgradedDetails()
            let stack = try StackSnapshotRecord(original)
            let sources = Self.snapshotVolumeSources(original)
            var volumeTars: [TarFile.Member] = []
            for source in sources {
                guard let member = members.first(where: { $0.name == "volumes/\(source).tar" }) else {
                    throw IsolationError(.snapshotFailed, "\(file.path) lacks volumes/\(source).tar, which its snapshot.json lists")
                }
                volumeTars.append(member)
            }
            return try await withClient { client in
                let loaded = try await client.loadImage(from: FileChunks(path: file.path, offset: imageTar.offset, length: imageTar.size))
                // An image's id is its configuration's digest, so a stack's loaded images have the ids its record names.
                let image = try await client.inspectImage(stack == nil ? loaded[0] : original.location)
                let images: [(tag: String, image: String)] =
                    stack == nil
                    ? [("\(Self.snapshotRepository):\(snapshot.id)", image.id)] : try Self.snapshotImages(of: original, id: snapshot.id)
                var tagged: [(tag: String, image: String)] = []
                do {
                    for (tag, id) in images {
                        guard (try? await client.inspectImage(id)) != nil else {
                            throw IsolationError(
                                .snapshotFailed, "\(file.path): its image.tar lacks the image \(id), which its snapshot.json names")
                        }
                        try await client.tagImage(id, as: tag)
                        tagged.append((tag, id))
                    }
                    let labels = Self.snapshotResourceLabels(image, snapshot: snapshot.id)
                    var mounts: [ContainerSpec.Mount] = []
                    for (index, source) in sources.enumerated() {
                        let copy = Self.snapshotVolumeName(source, snapshot: snapshot.id)
                        try await client.createVolume(DockerAPI.VolumeSpec(name: copy, labels: labels))
                        mounts.append(.volume(copy, at: "\(Self.copyRoot)/to\(index)/v"))
                    }
                    try await self.withVolumeHelper(image: image.id, mounts: mounts, labels: labels, client: client) { helper in
                        for (index, member) in volumeTars.enumerated() {
                            try await client.putArchive(
                                helper, path: "\(Self.copyRoot)/to\(index)",
                                from: FileChunks(path: file.path, offset: member.offset, length: member.size))
                        }
                    }
                } catch {
                    try? await self.removeSnapshotResources(snapshot.id, images: tagged, client: client)
                    // Loaded but never tagged: it goes unless another snapshot's tag holds it (an import beside its original).
                    for (_, id) in images where !tagged.contains(where: { $0.image == id }) {
                        if let left = try? await client.inspectImage(id), left.repoTags?.isEmpty ?? true {
                            _ = try? await client.removeImage(id)
                        }
                    }
                    throw error
                }
                var details = original.details
                details["snapshot_image"] = image.id
                details["imported_from"] = original.name
                return EngineArtifact(location: image.id, details: details)
            }
        } catch {
            throw Self.snapshotFailure(error, "importing \(file.path)")
        }
    }

    /// The labels of a snapshot's volumes and helpers: the image's ownership labels, and the snapshot's id.
    static func snapshotResourceLabels(_ image: ImageInspect, snapshot: String) -> [String: String] {
        var labels = (image.config?.labels ?? [:]).filter {
            [ResourceLabels.managed, ResourceLabels.session, ResourceLabels.home, ResourceLabels.cleanup].contains($0.key)
        }
        labels[ResourceLabels.managed] = "true"
        labels[ResourceLabels.snapshot] = snapshot
        return labels
    }

    /// An ``IsolationError`` as it is; anything else as `snapshotFailed` saying what was being done.
    static func snapshotFailure(_ error: any Error, _ doing: String) -> any Error {
        if error is IsolationError || error is CancellationError { return error }
        if let error = error as? DockerError { return IsolationError(.snapshotFailed, "\(doing): \(translate(error).message)") }
        return IsolationError(.snapshotFailed, "\(doing): \(error)")
    }
}
