import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// Docker snapshots with their named volumes' data, and as one exported file.
@Suite struct DockerSnapshotTests {
    static let busybox = "ptest-iso-test/busybox:latest"

    func manager(_ home: borrowing TestHome) throws -> IsolationManager {
        try IsolationManager(
            configuration: .init(home: home.url, session: "docker-snapshot-tests-\(UUID().uuidString.prefix(6))"),
            engines: [DockerEngine()])
    }

    func shell(_ manager: IsolationManager, _ id: String, _ script: String) async throws -> String {
        let result = try await manager.run(id, Command(["sh", "-c", script]))
        #expect(result.exitCode == 0, "`\(script)`: \(result.stderrText)")
        return result.stdoutText
    }

    /// What the daemon still holds of a snapshot: its image (by id) and its volume copies.
    func leftovers(of snapshot: Snapshot) async throws -> (image: Bool, volumes: [String]) {
        try await withDockerClient(try .fromEnvironment()) { client in
            let image = (try? await client.inspectImage(snapshot.location)) != nil
            let volumes = try await client.listVolumes(filters: ["label": ["ptest-iso.snapshot=\(snapshot.id)"]]).map(\.name)
            return (image, volumes)
        }
    }

    static let volumeSpec = EnvironmentSpec(image: busybox, volumes: [VolumeMount(source: "data", target: "/data", type: .volume)])
    static let original =
        "echo original > /work/file && echo original > /data/file && mkdir -p /data/sub && echo deep > /data/sub/f && chmod 700 /data/sub"
    static let change = "echo changed > /work/file && echo changed > /data/file && rm -r /data/sub"
    static let readBack = "cat /work/file /data/file /data/sub/f; stat -c %a /data/sub"

    @Test func aSnapshotKeepsTheNamedVolumesAndARestoreGivesThemBack() async throws {
        let home = try TestHome("docker-snap-volumes")
        let manager = try manager(home)
        let source = try await manager.create(Self.volumeSpec)
        _ = try await shell(manager, source.id, Self.original)
        let snapshot = try await manager.snapshot(source.id, name: "volumes-\(UUID().uuidString.prefix(6))")
        #expect(snapshot.details["snapshot_volumes"] == "data")
        _ = try await shell(manager, source.id, Self.change)

        let restored = try await manager.restore(snapshot.name)
        #expect(try await shell(manager, restored.id, Self.readBack) == "original\noriginal\ndeep\n700\n")
        // The restore filled a volume of its own: the source keeps its change.
        #expect(try await shell(manager, source.id, "cat /data/file") == "changed\n")

        try await manager.destroySession()
        try await manager.deleteSnapshot(snapshot.name)
        let left = try await leftovers(of: snapshot)
        #expect(!left.image)
        #expect(left.volumes.isEmpty)
    }

    /// A container writing a counter to its filesystem and then to its volume, every 5 ms, while
    /// it is snapshotted: the image and the volume copy are of one moment (the volume one write
    /// behind at most), not the volume taken some writes later. The source runs on afterwards.
    @Test func theImageAndTheVolumesOfASnapshotAreOfOneMoment() async throws {
        let home = try TestHome("docker-snap-moment")
        let manager = try manager(home)
        // Counts only while /flag/go exists: the flag is on a tmpfs, so a restored copy stays still.
        // Each value is renamed into place, so no reader (nor the snapshot) sees a half-written file.
        let writer =
            "i=0; while true; do if [ -f /flag/go ]; then i=$((i+1)); echo $i > /work/t; mv /work/t /work/n; echo $i > /data/t; mv /data/t /data/n; fi; sleep 0.005; done"
        var spec = Self.volumeSpec
        spec.command = ["sh", "-c", writer]
        spec.tmpfs = [TmpfsMount(path: "/flag")]
        let source = try await manager.create(spec)
        _ = try await shell(manager, source.id, "touch /flag/go; while [ ! -s /data/n ]; do sleep 0.01; done")
        let snapshot = try await manager.snapshot(source.id, name: "moment-\(UUID().uuidString.prefix(6))")
        let counted = try await shell(
            manager, source.id,
            "a=$(cat /data/n); b=$a; for _ in $(seq 300); do sleep 0.1; b=$(cat /data/n); [ $b -gt $a ] && break; done; echo $a $b")
        let before = counted.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        // Bounded at 30 s for a loaded machine; a source left paused would never count on.
        #expect(before.count == 2 && before[1] > before[0], "the source counts on after the snapshot: \(counted)")

        let restored = try await manager.restore(snapshot.name)
        let values = try await shell(manager, restored.id, "cat /work/n /data/n").split(separator: "\n").compactMap { Int($0) }
        try await manager.destroySession()
        try await manager.deleteSnapshot(snapshot.name)
        try #require(values.count == 2)
        #expect((0...1).contains(values[0] - values[1]), "image at \(values[0]), volume at \(values[1])")
    }

    @Test func anExportedSnapshotImportsAfterDeletionAndRestoresFilesAndVolumes() async throws {
        let home = try TestHome("docker-snap-export")
        let manager = try manager(home)
        let file = home.url.appendingPathComponent("snapshot.tar")
        let source = try await manager.create(Self.volumeSpec)
        _ = try await shell(manager, source.id, Self.original)
        let name = "exported-\(UUID().uuidString.prefix(6))"
        let snapshot = try await manager.snapshot(source.id, name: name)
        try await manager.exportSnapshot(name, to: file)
        try await manager.destroySession()
        try await manager.deleteSnapshot(name)
        #expect(try await leftovers(of: snapshot).image == false)

        let imported = try await manager.importSnapshot(from: file)
        #expect(imported.name == name)
        #expect(imported.engine == .docker)
        #expect(try await leftovers(of: imported).volumes.count == 1)
        let restored = try await manager.restore(name)
        #expect(try await shell(manager, restored.id, Self.readBack) == "original\noriginal\ndeep\n700\n")

        try await manager.destroySession()
        try await manager.deleteSnapshot(name)
        let left = try await leftovers(of: imported)
        #expect(!left.image && left.volumes.isEmpty)
    }

    @Test func aReadOnlyRootsWorkingDirectoryVolumeIsSnapshottedToo() async throws {
        let home = try TestHome("docker-snap-readonly")
        let manager = try manager(home)
        let source = try await manager.create(EnvironmentSpec(image: Self.busybox, readOnlyRoot: true))
        _ = try await shell(manager, source.id, "echo original > /work/file")
        let snapshot = try await manager.snapshot(source.id, name: "readonly-\(UUID().uuidString.prefix(6))")
        #expect(snapshot.details["snapshot_volumes"] == "_work")
        _ = try await shell(manager, source.id, "echo changed > /work/file")
        let restored = try await manager.restore(snapshot.name)
        #expect(try await shell(manager, restored.id, "cat /work/file") == "original\n")
        try await manager.destroySession()
        try await manager.deleteSnapshot(snapshot.name)
    }

    @Test func anImportBesideItsOriginalSurvivesTheOriginalsDeletion() async throws {
        let home = try TestHome("docker-snap-twin")
        let manager = try manager(home)
        let file = home.url.appendingPathComponent("snapshot.tar")
        let source = try await manager.create(Self.volumeSpec)
        _ = try await shell(manager, source.id, Self.original)
        let name = "twin-\(UUID().uuidString.prefix(6))"
        let original = try await manager.snapshot(source.id, name: name)
        try await manager.exportSnapshot(name, to: file)
        // Same daemon, same image: each snapshot holds a tag of its own, so deleting one keeps the other's image.
        let twin = try await manager.importSnapshot(from: file, name: "\(name)-twin")
        #expect(twin.location == original.location)
        try await manager.deleteSnapshot(name)
        #expect(try await leftovers(of: original).volumes.isEmpty)
        let restored = try await manager.restore(twin.name)
        #expect(try await shell(manager, restored.id, Self.readBack) == "original\noriginal\ndeep\n700\n")
        try await manager.destroySession()
        try await manager.deleteSnapshot(twin.name)
        let left = try await leftovers(of: twin)
        #expect(!left.image && left.volumes.isEmpty)
    }

    @Test func importingAFileThatIsNoSnapshotFailsClearly() async throws {
        let home = try TestHome("docker-snap-bad")
        let manager = try manager(home)
        let file = home.url.appendingPathComponent("not-a-snapshot.tar")
        try Data(repeating: 7, count: 2048).write(to: file)
        let error = await #expect(throws: IsolationError.self) { try await manager.importSnapshot(from: file) }
        #expect(error?.code == .snapshotFailed)
        #expect(error?.message.contains("not a tar file") == true, "\(String(describing: error))")
    }
}
