import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// Cleanup finds leftovers from Docker labels and venv metadata, even with the database gone.
@Suite(.serialized) struct CleanupTests {
    func dockerContainers(session: String) async throws -> [ContainerSummary] {
        try await withDockerClient(try .fromEnvironment()) {
            try await $0.listContainers(all: true, filters: ["label": ["ptest-iso.session=\(session)"]])
        }
    }

    @Test func aLostDatabaseStillLeavesNothingBehind() async throws {
        let home = try TestHome("cleanup")
        let session = "cleanup-\(UUID().uuidString.prefix(8))"
        let manager = try await IsolationManager.open(configuration: .init(home: home.url, session: session))
        let venv = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        let container = try await manager.create(EnvironmentSpec(image: "ptest-iso-test/busybox:latest", network: "isolated"))
        #expect(try await dockerContainers(session: session).count == 1)

        // The database is lost.
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(at: home.url.appendingPathComponent("state.sqlite\(suffix)"))
        }

        let dry = try CLI.run(["cleanup", "--session", session, "--dry-run", "--json", "--home", home.url.path])
        #expect(dry.status == 0, "\(dry.output)")
        let planned = try JSONDecoder.seconds.decode(CleanupReport.self, from: Data(dry.output.utf8))
        #expect(planned.containers == [container.location])
        #expect(planned.networks == ["ptest-iso-\(container.id)"])
        #expect(planned.directories == [venv.location])
        #expect(FileManager.default.fileExists(atPath: venv.location))

        let done = try CLI.run(["cleanup", "--session", session, "--home", home.url.path])
        #expect(done.status == 0, "\(done.output)")
        #expect(done.output.contains("removed 1 containers:"))
        #expect(try await dockerContainers(session: session).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: venv.location))
        let networks = try await withDockerClient(try .fromEnvironment()) {
            try await $0.listNetworks(filters: ["name": ["ptest-iso-\(container.id)"]])
        }
        #expect(networks.isEmpty)
        #expect(try CLI.run(["cleanup", "--session", session, "--home", home.url.path]).output == "nothing to remove\n")
    }

    @Test func expiredCleanupTakesOnlyWhatOutlivedItsTTL() async throws {
        let home = try TestHome("expired")
        let manager = try await IsolationManager.open(configuration: .init(home: home.url, session: "ttl"))
        let short = try await manager.create(EnvironmentSpec(ttlSeconds: 0.001, useTemplateCache: false))
        let long = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        let kept = try await manager.create(EnvironmentSpec(ttlSeconds: 0.001, cleanup: .keep, useTemplateCache: false))
        try await Task.sleep(for: .milliseconds(20))
        let report = try await manager.cleanup(.expired)
        #expect(report.environments == [short.id])
        #expect(try await manager.get(short.id).status == .destroyed)
        #expect(try await manager.get(long.id).status == .ready)
        #expect(try await manager.get(kept.id).status == .ready)
        let listed = try CLI.run(["ls", "--home", home.url.path])
        let shown = { (id: String) in listed.output.contains(id.prefix(12)) }
        #expect(shown(long.id) && shown(kept.id) && !shown(short.id))
    }

    @Test func badCLIInputIsAOneLineErrorAndANonZeroCode() async throws {
        let conflicting = try CLI.run(["cleanup", "--expired", "--all"])
        #expect(conflicting.status != 0)
        #expect(conflicting.output.hasPrefix("Error: choose exactly one of --session, --expired or --all"))
        let unknown = try CLI.run(["frobnicate"])
        #expect(unknown.status != 0)
    }

    @Test func aSessionsCleanupDeletesItsTemporarySnapshotsOnly() async throws {
        // Given a temporary and a kept snapshot of an environment made for a test
        let home = try TestHome("cleanup-snapshots")
        let manager = try home.manager(session: "snapshots")
        let environment = try await manager.create(EnvironmentSpec(useTemplateCache: false), test: "tests/test_a.py::test_b[1]")
        #expect(environment.labels[ResourceLabels.test] == "tests/test_a.py::test_b[1]")
        let temporary = try await manager.snapshot(environment.id, name: "temporary", temporary: true)
        _ = try await manager.snapshot(environment.id, name: "kept")
        #expect(temporary.session == "snapshots")
        let copy = try await manager.restore("temporary", test: "tests/test_a.py::test_c")
        #expect(copy.labels[ResourceLabels.test] == "tests/test_a.py::test_c")

        // When other scopes are cleaned, nothing of it goes
        _ = try await manager.cleanup(.expired)
        _ = try await manager.cleanup(.endedSession("another"))
        #expect(try await manager.snapshots().map(\.name).sorted() == ["kept", "temporary"])

        // Then the session's end takes the temporary one (after its restored copy), not the other
        let report = try await manager.cleanup(.endedSession("snapshots"))
        #expect(report.snapshots == ["temporary"])
        #expect(report.skipped.isEmpty, "\(report.skipped)")
        #expect(try await manager.snapshots().map(\.name) == ["kept"])
        #expect(!FileManager.default.fileExists(atPath: temporary.location))
        #expect(try await manager.get(copy.id).status == .destroyed)
    }

    @Test func aTestIDOutOfBoundsIsRefused() async throws {
        let home = try TestHome("cleanup-test-id")
        let manager = try home.manager()
        for bad in ["", String(repeating: "x", count: ResourceLabels.maxTestIDBytes + 1)] {
            await #expect(throws: IsolationError.self) { try await manager.create(EnvironmentSpec(), test: bad) }
        }
    }
}
