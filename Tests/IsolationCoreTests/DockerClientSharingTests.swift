import Foundation
import IsolationCore
import TestSupport
import Testing

/// The Docker engine's one kept client: shared by concurrent operations, not starved by
/// long-lived streams, closed by the manager's shutdown and connected again after it.
@Suite struct DockerClientSharingTests {
    static let busybox = "ptest-iso-test/busybox:latest"

    func manager(_ home: borrowing TestHome, session: String) throws -> IsolationManager {
        try IsolationManager(configuration: .init(home: home.url, session: session), engines: [DockerEngine()])
    }

    @Test func concurrentFirstUsesShareOneClientAndShutdownLetsALaterUseConnectAgain() async throws {
        let home = try TestHome("docker-sharing")
        let session = "docker-sharing-\(UUID().uuidString.prefix(8))"
        let environment = try await manager(home, session: session).create(EnvironmentSpec(image: Self.busybox))
        // A second manager of the same home: its engine has not connected yet, so these runs all race to connect.
        let manager = try manager(home, session: session)
        let outputs = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<6 {
                group.addTask { try await manager.run(environment.id, Command(["echo", "\(index)"])).stdoutText }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(outputs == Set((0..<6).map { "\($0)\n" }))

        await manager.shutdown()
        #expect(try await manager.run(environment.id, Command(["echo", "again"])).stdoutText == "again\n")
        try await manager.destroy(environment.id)
        await manager.shutdown()
    }

    @Test func manyLogFollowsDoNotStarveAShortOperation() async throws {
        let home = try TestHome("docker-streams")
        let manager = try manager(home, session: "docker-streams-\(UUID().uuidString.prefix(8))")
        let environment = try await manager.create(EnvironmentSpec(image: Self.busybox))
        _ = try await manager.run(environment.id, Command(["sh", "-c", "echo line > /proc/1/fd/1"]))
        // More follows than AsyncHTTPClient's default of 8 connections per host: each holds its
        // connection until the container is gone.
        let followers = 12
        let ran = try await withThrowingTaskGroup(of: String?.self) { group in
            let (started, reached) = AsyncStream.makeStream(of: Void.self)
            for _ in 0..<followers {
                group.addTask {
                    // A follower that fails (no connection for it) must not leave the test waiting.
                    do {
                        try await manager.followLogs(environment.id) { _ in reached.yield() }
                    } catch {
                        reached.finish()
                        throw error
                    }
                    return nil
                }
            }
            var count = 0
            for await _ in started {
                count += 1
                if count == followers { break }
            }
            #expect(count == followers, "every follower holds its connection")
            // With the connections all taken, this would queue until the connect timeout and fail
            // with it (no timing is asserted: a loaded machine is slow, not wrong).
            let output = try await manager.run(environment.id, Command(["echo", "short"])).stdoutText
            try await manager.destroy(environment.id)
            reached.finish()
            try await group.waitForAll()
            return output
        }
        #expect(ran == "short\n")
        await manager.shutdown()
    }
}
