import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// Snapshots of whole compose stacks, against the real daemon: every service's container and the
/// project's named volume of one moment, restored as a new stack that comes up as a create does,
/// exported and imported as one file, and nothing left on the daemon once the snapshot is deleted.
@Suite struct ComposeSnapshotTests {
    static let busybox = DockerEngineTests.busybox

    /// `db` keeps its state in the named volume `data` (written once, so a restore's start keeps
    /// the copied one); `web` serves that volume on a published port once `db` is healthy.
    static let stack = """
        services:
          db:
            image: \(busybox)
            command: ["sh", "-c", "[ -e /data/state ] || echo first > /data/state; touch /tmp/ready; exec sleep 600"]
            healthcheck:
              test: ["CMD", "test", "-e", "/tmp/ready"]
              interval: 200ms
              retries: 100
            volumes: ["data:/data"]
          web:
            image: \(busybox)
            command: ["httpd", "-f", "-p", "8080", "-h", "/data"]
            ports: ["127.0.0.1::8080"]
            depends_on:
              db: {condition: service_healthy}
            volumes: ["data:/data:ro"]
        volumes:
          data: {}
        """

    func manager(_ home: borrowing TestHome, session: String = "compose-snap-\(UUID().uuidString.prefix(8))") throws
        -> IsolationManager
    {
        try IsolationManager(configuration: .init(home: home.url, session: session), engines: [DockerEngine()])
    }

    func createStack(_ manager: IsolationManager, in home: borrowing TestHome) async throws -> Environment {
        let file = home.url.appendingPathComponent("docker-compose.yml")
        try Self.stack.write(to: file, atomically: true, encoding: .utf8)
        // A generous bound: the full suite runs every test at once on two cores.
        return try await manager.create(EnvironmentSpec(readyTimeoutSeconds: 300, compose: ComposeSpec(files: [file.path])))
    }

    func shell(_ manager: IsolationManager, _ address: String, _ script: String) async throws -> String {
        let result = try await manager.run(address, Command(["sh", "-c", script]))
        #expect(result.exitCode == 0, "`\(script)` in \(address): \(result.stderrText)")
        return result.stdoutText
    }

    /// What `web` serves from the host at `path`, through the stack's published port.
    func served(_ environment: Environment, _ path: String) throws -> String {
        let port = try #require(environment.details["port.web.8080"])
        return try String(decoding: Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/\(path)")!), as: UTF8.self)
    }

    /// The daemon's images and volumes labelled with `snapshot`, and images tagged for it.
    func leftovers(of snapshot: Snapshot) async throws -> [String] {
        try await withDockerClient(try .fromEnvironment()) { client in
            let filter = ["label": ["ptest-iso.snapshot=\(snapshot.id)"]]
            let labelled = try await client.listImages(all: true, filters: filter).map(\.id)
            let tagged = try await client.listImages(filters: ["reference": ["ptest-iso-snapshot:\(snapshot.id)-*"]]).map(\.id)
            let volumes = try await client.listVolumes(filters: filter).map(\.name)
            return labelled + tagged + volumes
        }
    }

    /// Containers, networks and volumes labelled with the environment `id`.
    func resources(ofEnvironment id: String) async throws -> [String] {
        try await withDockerClient(try .fromEnvironment()) { client in
            let filter = ["label": ["ptest-iso.environment=\(id)"]]
            return try await client.listContainers(all: true, filters: filter).map(\.id)
                + client.listNetworks(filters: filter).map(\.name) + client.listVolumes(filters: filter).map(\.name)
        }
    }

    @Test func aRestoredStackHasTheSnapshotsFilesAndVolumeAndComesUpAsACreateDoes() async throws {
        let home = try TestHome("compose-snap")
        let manager = try manager(home)
        let source = try await createStack(manager, in: home)
        _ = try await shell(manager, "\(source.id)/db", "echo snapped > /data/state; mkdir -p /srv && echo snapped > /srv/marker")
        #expect(try served(source, "state") == "snapped\n")

        let snapshot = try await manager.snapshot(source.id, name: "stack-\(UUID().uuidString.prefix(6))")
        #expect(snapshot.details["snapshot_volumes"] == "data")
        #expect(snapshot.details["compose.services"] == "db,web")
        // Every container of the source runs on, none left paused.
        try await withDockerClient(try .fromEnvironment()) { client in
            for service in ["db", "web"] {
                let state = try await client.inspectContainer(try #require(source.details["container.\(service)"])).state
                #expect(state.running && !state.paused, "\(service) after the snapshot: \(state.status)")
            }
        }
        _ = try await shell(manager, "\(source.id)/db", "echo changed > /data/state; echo changed > /srv/marker")

        let restored = try await manager.restore(snapshot.name)
        #expect(restored.details["compose.project"] == "ptest-iso-\(restored.id)")
        #expect(restored.details["compose.services"] == "db,web")
        #expect(restored.details["restored_from"] == snapshot.name)
        // The volume's copy (served by web, from the host) and db's own filesystem, both as snapped.
        #expect(try served(restored, "state") == "snapped\n")
        #expect(try await shell(manager, "\(restored.id)/db", "cat /srv/marker") == "snapped\n")
        // The services reach each other by name on the restored stack's own network.
        #expect(try await shell(manager, restored.id, "nslookup db >/dev/null 2>&1 || ping -c1 -W2 db >/dev/null && echo ok") == "ok\n")
        // The source keeps its change: the restore has volumes of its own.
        #expect(try served(source, "state") == "changed\n")

        try await manager.destroySession()
        #expect(try await resources(ofEnvironment: restored.id).isEmpty)
        try await manager.deleteSnapshot(snapshot.name)
        #expect(try await leftovers(of: snapshot).isEmpty)
    }

    @Test func anExportedStackSnapshotImportsIntoAFreshHomeAndRestores() async throws {
        let home = try TestHome("compose-snap-export")
        let manager = try manager(home)
        let source = try await createStack(manager, in: home)
        _ = try await shell(manager, "\(source.id)/db", "echo exported > /data/state")
        let name = "stack-export-\(UUID().uuidString.prefix(6))"
        let snapshot = try await manager.snapshot(source.id, name: name)
        let file = home.url.appendingPathComponent("stack.tar")
        try await manager.exportSnapshot(name, to: file)
        try await manager.destroySession()
        try await manager.deleteSnapshot(name)
        #expect(try await leftovers(of: snapshot).isEmpty)

        let otherHome = try TestHome("compose-snap-import")
        let other = try self.manager(otherHome)
        let imported = try await other.importSnapshot(from: file)
        #expect(imported.name == name)
        #expect(imported.details["snapshot_volumes"] == "data")
        let restored = try await other.restore(name)
        #expect(try served(restored, "state") == "exported\n")

        try await other.destroySession()
        try await other.deleteSnapshot(name)
        #expect(try await leftovers(of: imported).isEmpty)
        // The images came back with the original's labels: those are gone too.
        #expect(try await leftovers(of: snapshot).isEmpty)
    }

    @Test func aTemporaryStackSnapshotGoesWithItsSession() async throws {
        let home = try TestHome("compose-snap-temp")
        let session = "compose-snap-temp-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        let source = try await createStack(manager, in: home)
        let snapshot = try await manager.snapshot(source.id, temporary: true)
        #expect(try await !leftovers(of: snapshot).isEmpty)
        // What the session reaper does once the session's processes are gone.
        let report = try await manager.cleanup(.endedSession(session))
        #expect(report.snapshots == [snapshot.name])
        #expect(try await leftovers(of: snapshot).isEmpty)
        #expect(try await manager.snapshots().isEmpty)
    }

    @Test func failuresSayWhyAndLeaveNothingBehind() async throws {
        let home = try TestHome("compose-snap-fail")
        let manager = try manager(home)
        let source = try await createStack(manager, in: home)

        // A service's address is not the stack.
        let addressed = await #expect(throws: IsolationError.self) { try await manager.snapshot("\(source.id)/db") }
        #expect(addressed?.code == .invalidSpec && addressed?.field == "id")

        // A restore whose volume copy is gone fails once the new stack's volumes exist: they go again.
        let snapshot = try await manager.snapshot(source.id, name: "stack-fail-\(UUID().uuidString.prefix(6))")
        try await withDockerClient(try .fromEnvironment()) { client in
            try await client.removeVolume("ptest-iso-\(snapshot.id)-data", force: true)
        }
        let gone = await #expect(throws: IsolationError.self) { try await manager.restore(snapshot.name) }
        #expect(gone?.code == .snapshotFailed)
        #expect(gone?.message.contains("its copy of volume 'data'") == true, "\(String(describing: gone))")
        let failed = try #require(try await manager.list().first { $0.status == .failed })
        #expect(try await resources(ofEnvironment: failed.id).isEmpty)
        try await manager.deleteSnapshot(snapshot.name)
        #expect(try await leftovers(of: snapshot).isEmpty)

        // A stack whose files changed since it came up is not snapshotted as something else; nothing is made.
        let file = home.url.appendingPathComponent("docker-compose.yml")
        try Self.stack.replacingOccurrences(of: "8080", with: "8081").write(to: file, atomically: true, encoding: .utf8)
        let changed = await #expect(throws: IsolationError.self) { try await manager.snapshot(source.id, name: "changed") }
        #expect(changed?.code == .snapshotFailed)
        #expect(changed?.message.contains("service web changed in the compose files") == true, "\(String(describing: changed))")
        #expect(try await manager.snapshots().isEmpty)
        let session = manager.configuration.session
        let made = try await withDockerClient(try .fromEnvironment()) { client in
            let filter = ["label": ["ptest-iso.session=\(session)", "ptest-iso.snapshot"]]
            return try await client.listImages(all: true, filters: filter).map(\.id) + client.listVolumes(filters: filter).map(\.name)
        }
        #expect(made.isEmpty)
        try await manager.destroySession()
    }
}
