import Foundation
import IsolationCore
import Synchronization
import TestSupport
import Testing

/// Logs and stats: Docker environments have them, venvs do not.
@Suite(.serialized) struct ManagerObservationTests {
    @Test func aVirtualenvHasNoLogsOrStats() async throws {
        let home = try TestHome("observe")
        let manager = try home.manager()
        let environment = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        let logs = await #expect(throws: IsolationError.self) { try await manager.logs(environment.id) }
        #expect(logs?.code == .engineUnavailable)
        let stats = await #expect(throws: IsolationError.self) { try await manager.stats(environment.id) }
        #expect(stats?.code == .engineUnavailable)
    }

    @Test func aContainersLogFollowsUntilItIsDestroyed() async throws {
        let home = try TestHome("observe-docker")
        let manager = try await IsolationManager.open(
            configuration: .init(home: home.url, session: "observe-\(UUID().uuidString.prefix(8))"))
        let environment = try await manager.create(EnvironmentSpec(image: "ptest-iso-test/busybox:latest"))
        // The daemon reads stdout and stderr through separate pipes, so only each stream's own order is certain.
        let script = "echo out > /proc/1/fd/1; echo err > /proc/1/fd/2; echo last > /proc/1/fd/1"
        _ = try await manager.run(environment.id, Command(["sh", "-c", script]))

        let logs = try await manager.logs(environment.id)
        #expect(logs.filter { $0.stream == .stdout }.map(\.text).joined() == "out\nlast\n")
        #expect(logs.filter { $0.stream == .stderr }.map(\.text).joined() == "err\n")
        let tail = try await manager.logs(environment.id, tail: 1)
        #expect(tail.count == 1 && tail[0].text != "out\n", "the oldest line is never the last one")
        #expect(try await manager.stats(environment.id).pids >= 1)

        // Following ends by itself once the container is gone.
        let seen = try await withThrowingTaskGroup(of: [String].self) { group in
            let (firstChunk, reached) = AsyncStream.makeStream(of: Void.self)
            group.addTask {
                // A follower that fails before any chunk must not leave the test waiting.
                defer { reached.finish() }
                let collected = Collected()
                try await manager.followLogs(environment.id) { chunk in
                    collected.append(chunk.text)
                    reached.yield()
                }
                return collected.texts
            }
            for await _ in firstChunk { break }
            try await manager.destroy(environment.id)
            return try await group.next() ?? []
        }
        #expect(seen.joined().contains("out\n"))
    }
}

/// Chunks a follower saw, shared with the closure it calls.
private final class Collected: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ text: String) { storage.withLock { $0.append(text) } }
    var texts: [String] { storage.withLock { $0 } }
}
