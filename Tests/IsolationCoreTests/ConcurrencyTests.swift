import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// Several processes share one state directory, as pytest-xdist workers and the CLI do.
@Suite struct ConcurrencyTests {
    static var stressTool: String {
        URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("IsolationStress").path
    }

    static func launch(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: stressTool)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test(.timeLimit(.minutes(5)))
    func twoProcessesCreatingFiftyEnvironmentsEachLoseNothing() async throws {
        let home = try TestHome("concurrent")
        let first = try Self.launch([home.url.path, "worker-a", "50", "--keep"])
        let second = try Self.launch([home.url.path, "worker-b", "50", "--keep"])
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(second.terminationStatus == 0)
        let store = try await StateStore.open(at: home.url.appendingPathComponent("state.sqlite"))
        let all = try await store.environments()
        #expect(all.count == 100)
        #expect(all.allSatisfy { $0.status == .ready })
        #expect(Set(all.map(\.id)).count == 100)
        #expect(all.filter { $0.session == "worker-a" }.count == 50)
        #expect(Set(all.compactMap { $0.labels["index"] }).count == 50)
        let directories = try FileManager.default.contentsOfDirectory(atPath: home.url.appendingPathComponent("envs").path)
        #expect(directories.count == 100)
    }

    @Test(.timeLimit(.minutes(5)))
    func fourProcessesCreatingAndDestroyingTwoHundredEnvironmentsLeaveNothing() async throws {
        let home = try TestHome("two-hundred")
        let session = "two-hundred-\(UUID().uuidString.prefix(8))"
        // One session, as pytest-xdist workers share one, with its reaper; half the environments are containers.
        let processes = try (0..<4).map { _ in
            try Self.launch(
                [home.url.path, session, "50", "--docker", "ptest-iso-test/busybox:latest"], environment: ["PTEST_ISO_REAPER": CLI.path])
        }
        for process in processes {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "a process saw errors")
        }
        let store = try await StateStore.open(at: home.url.appendingPathComponent("state.sqlite"))
        let all = try await store.environments(matching: EnvironmentFilter(liveOnly: false))
        #expect(all.count == 200)
        #expect(all.allSatisfy { $0.status == .destroyed })
        #expect(all.filter { $0.engine == .docker }.count == 100)
        let directories = try FileManager.default.contentsOfDirectory(atPath: home.url.appendingPathComponent("envs").path)
        #expect(directories.isEmpty)
        let containers = try await withDockerClient(try .fromEnvironment()) {
            try await $0.listContainers(all: true, filters: ["label": ["ptest-iso.session=\(session)"]])
        }
        #expect(containers.isEmpty)
        // The four shared one reaper, which leaves once they have all gone.
        let paths = ReaperPaths(home: home.url, session: session)
        for _ in 0..<100 where FileManager.default.fileExists(atPath: paths.lock.path) {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!FileManager.default.fileExists(atPath: paths.lock.path))
    }

    @Test(.timeLimit(.minutes(5)))
    func concurrentCreatorsOfOneTemplateBuildItOnce() async throws {
        let home = try TestHome("template-race")
        let processes = try (0..<3).map { try Self.launch([home.url.path, "racer-\($0)", "4", "--template"]) }
        for process in processes {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        let templates = try FileManager.default.contentsOfDirectory(atPath: home.url.appendingPathComponent("templates").path)
            .filter { !$0.hasSuffix(".lock") }
        #expect(templates.count == 1, "\(templates)")
    }

    @Test(.timeLimit(.minutes(5)))
    func aProcessKilledMidWriteLeavesTheDatabaseConsistent() async throws {
        let home = try TestHome("killed")
        let victim = try Self.launch([home.url.path, "victim", "400"])
        // Let it get going, then kill it without warning.
        let database = home.url.appendingPathComponent("state.sqlite")
        for _ in 0..<200 where await (try? StateStore.open(at: database).environments().count) ?? 0 < 5 {
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        let store = try await StateStore.open(at: database)
        #expect(try await store.integrityCheck() == "ok")
        let survivors = try await store.environments(matching: EnvironmentFilter(liveOnly: false))
        #expect(!survivors.isEmpty)
        // Still writable by the next process.
        let next = try Self.launch([home.url.path, "after", "3"])
        next.waitUntilExit()
        #expect(next.terminationStatus == 0)
    }
}
