import DockerAPI
import Foundation

/// A committed image holds no named volume's data, so a snapshot keeps a copy of each
/// volume the environment owns in a volume of its own, `ptest-iso-<snapshot>-<source>`,
/// labelled with the snapshot like its image (images and volumes are both per daemon).
///
/// Copies go through a helper container that is created and never started: the archive
/// API mounts a stopped container's volumes for the copy, so no shell or `cp` is needed
/// in the image, and the bytes stream from daemon to daemon through this process.
extension DockerEngine {
    /// In a snapshot's details: the sources (`data` of `ptest-iso-<env>-data`) of the volumes it copied, comma-separated.
    static let snapshotVolumesKey = "snapshot_volumes"
    /// The repository of snapshot images; the tag is the snapshot's id.
    static let snapshotRepository = "ptest-iso-snapshot"

    static func snapshotVolumeName(_ source: String, snapshot id: String) -> String {
        "ptest-iso-\(id)-\(source)"
    }

    static func snapshotVolumeSources(_ snapshot: Snapshot) -> [String] {
        (snapshot.details[snapshotVolumesKey] ?? "").split(separator: ",").map(String.init)
    }

    /// The sources of the volumes the environment owns, from the daemon's labels.
    func ownedVolumeSources(of environment: Environment, client: DockerClient) async throws -> [String] {
        let prefix = Self.volumeName("", of: environment)
        let owned = try await client.listVolumes(filters: [
            "label": ["\(ResourceLabels.managed)=true", "\(ResourceLabels.environment)=\(environment.id)"]
        ])
        return owned.map(\.name).filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.sorted()
    }

    /// Copies each `from` volume's contents into its (existing) `to` volume, keeping modes and owners.
    func copyVolumes(_ pairs: [(from: String, to: String)], image: String, labels: [String: String], client: DockerClient) async throws {
        let mounts = pairs.enumerated().flatMap { index, pair in
            [
                ContainerSpec.Mount.volume(pair.from, at: "\(Self.copyRoot)/from\(index)/v", readOnly: true),
                .volume(pair.to, at: "\(Self.copyRoot)/to\(index)/v"),
            ]
        }
        try await withVolumeHelper(image: image, mounts: mounts, labels: labels, client: client) { helper in
            for index in pairs.indices {
                try await client.copyArchive(
                    from: helper, path: "\(Self.copyRoot)/from\(index)/v", to: helper, directory: "\(Self.copyRoot)/to\(index)")
            }
        }
    }

    /// Where a helper container mounts the volumes it copies. Each volume is the
    /// directory `v` of its own parent, so its archive unpacks onto the other volume's root.
    static let copyRoot = "/ptest-iso-copy"

    /// Runs `body` with a created (never started) container of `image` that mounts `mounts`, and removes it afterwards.
    func withVolumeHelper<T>(
        image: String, mounts: [ContainerSpec.Mount], labels: [String: String], client: DockerClient,
        _ body: (String) async throws -> T
    ) async throws -> T {
        guard !mounts.isEmpty else { return try await body("") }
        var helper = ContainerSpec(image: image)
        // Never run; a command only because the daemon refuses to create a container of an image without one.
        helper.command = ["true"]
        helper.networkMode = "none"
        helper.labels = labels
        helper.mounts = mounts
        let id = try await client.createContainer(helper).id
        do {
            let result = try await body(id)
            try await client.removeContainer(id, force: true, removeVolumes: true)
            return result
        } catch {
            try? await client.removeContainer(id, force: true, removeVolumes: true)
            throw error
        }
    }

    /// Copies each of the environment's `volumes` (its Docker name, by the source that names its copy)
    /// into a new volume of the snapshot.
    func snapshotVolumes(
        _ volumes: [(source: String, volume: String)], of environment: Environment, snapshot: Snapshot, image: String,
        labels: [String: String], client: DockerClient
    ) async throws {
        var pairs: [(from: String, to: String)] = []
        for (source, volume) in volumes {
            let copy = Self.snapshotVolumeName(source, snapshot: snapshot.id)
            try await client.createVolume(DockerAPI.VolumeSpec(name: copy, labels: labels))
            pairs.append((volume, copy))
        }
        try await copyVolumes(pairs, image: image, labels: ResourceLabels.outliving(environment.labels), client: client)
    }

    /// The snapshot's volume copies by source, each checked to be still on the daemon.
    func snapshotCopies(of snapshot: Snapshot, client: DockerClient) async throws -> [(source: String, copy: String)] {
        var copies: [(source: String, copy: String)] = []
        for source in Self.snapshotVolumeSources(snapshot) {
            let copy = Self.snapshotVolumeName(source, snapshot: snapshot.id)
            guard (try? await client.inspectVolume(copy)) != nil else {
                throw IsolationError(
                    .snapshotFailed,
                    "snapshot \(snapshot.name): its copy of volume '\(source)' (\(copy)) is gone from the daemon; take the snapshot again")
            }
            copies.append((source, copy))
        }
        return copies
    }

    /// Creates the new environment's volumes filled from the snapshot's copies, before its
    /// container exists: ``mounts(for:client:)`` then finds them and uses them as they are.
    func restoreVolumes(of snapshot: Snapshot, into environment: Environment, client: DockerClient) async throws {
        var pairs: [(from: String, to: String)] = []
        for (source, copy) in try await snapshotCopies(of: snapshot, client: client) {
            let target = Self.volumeName(source, of: environment)
            try await client.createVolume(DockerAPI.VolumeSpec(name: target, labels: environment.labels))
            pairs.append((copy, target))
        }
        try await copyVolumes(pairs, image: snapshot.location, labels: environment.labels, client: client)
    }

    /// Removes the snapshot's volume copies, found by label.
    func removeSnapshotVolumes(_ snapshotID: String, client: DockerClient) async throws {
        let copies = try await client.listVolumes(filters: [
            "label": ["\(ResourceLabels.managed)=true", "\(ResourceLabels.snapshot)=\(snapshotID)"]
        ])
        for volume in copies {
            do {
                try await client.removeVolume(volume.name, force: true)
            } catch let error as DockerError where error.code == .notFound {}
        }
    }
}
