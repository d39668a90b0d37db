import DockerAPI
import Foundation
import IsolationCore
import Testing

/// Standby containers: started ahead of need, taken by the next environment of the same spec.
@Suite struct DockerStandbyTests {
    static let busybox = "ptest-iso-test/busybox:latest"

    func manager(_ home: borrowing TestHome, session: String) throws -> IsolationManager {
        var configuration = IsolationManager.Configuration(home: home.url, session: session)
        configuration.dockerStandbyDepth = 1
        return try IsolationManager(configuration: configuration, engines: [DockerEngine(standbyDepth: 1)])
    }

    func standbys(_ session: String) async throws -> [ContainerSummary] {
        try await withDockerClient(try .fromEnvironment()) {
            try await $0.listContainers(all: true, filters: ["label": ["ptest-iso.session=\(session)", "ptest-iso.standby=true"]])
        }
    }

    @Test func theNextEnvironmentOfASpecTakesTheStandbyAndShutdownRemovesTheRest() async throws {
        let home = try TestHome("standby")
        let session = "standby-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        let spec = EnvironmentSpec(environment: ["MODE": "warm"], image: Self.busybox, resources: ResourceLimits(memory: "64m"))
        let first = try await manager.create(spec)
        #expect(first.details["standby"] == nil)
        await manager.waitForBackgroundWork()
        let waiting = try await standbys(session)
        #expect(waiting.count == 1)

        let second = try await manager.create(spec)
        #expect(second.details["standby"] == "true")
        #expect(second.location == waiting.first?.id)
        // The standby is the spec's container: its variables and limits hold, and commands run.
        let inside = try await manager.run(
            second.id,
            Command([
                "sh", "-c", "echo $MODE; cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes",
            ]))
        #expect(inside.stdoutText == "warm\n\(64 << 20)\n", "\(inside.stderrText)")

        // Another spec does not take it, nor the same spec with another TTL: the standby's
        // expiry label must outlast whoever takes it.
        let other = try await manager.create(EnvironmentSpec(environment: ["MODE": "cold"], image: Self.busybox))
        #expect(other.details["standby"] == nil)
        await manager.waitForBackgroundWork()
        var shortLived = spec
        shortLived.ttlSeconds = 60
        let third = try await manager.create(shortLived)
        #expect(third.details["standby"] == nil)
        try await manager.destroy(third.id)

        for environment in [first, second, other] { try await manager.destroy(environment.id) }
        await manager.shutdown()
        #expect(try await standbys(session).isEmpty)
    }

    @Test func specsThatNeedWorkAfterTheStartOrOutliveTheSessionGetNoStandby() async throws {
        let home = try TestHome("standby-none")
        let session = "standby-none-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        let specs = [
            EnvironmentSpec(image: Self.busybox, ports: [8080]),
            EnvironmentSpec(cleanup: .keep, image: Self.busybox),
            EnvironmentSpec(image: Self.busybox, network: "isolated"),
        ]
        for spec in specs {
            let environment = try await manager.create(spec)
            try await manager.destroy(environment.id)
        }
        await manager.waitForBackgroundWork()
        #expect(try await standbys(session).isEmpty)
    }

    @Test func aStandbyThatDiedIsNotHandedOut() async throws {
        let home = try TestHome("standby-dead")
        let session = "standby-dead-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        let spec = EnvironmentSpec(image: Self.busybox)
        let first = try await manager.create(spec)
        await manager.waitForBackgroundWork()
        let standby = try #require(try await standbys(session).first)
        try await withDockerClient(try .fromEnvironment()) { try await $0.removeContainer(standby.id, force: true, removeVolumes: true) }

        let second = try await manager.create(spec)
        #expect(second.details["standby"] == nil)
        #expect(try await manager.run(second.id, Command(["true"])).exitCode == 0)
        for environment in [first, second] { try await manager.destroy(environment.id) }
        await manager.shutdown()
        #expect(try await standbys(session).isEmpty)
    }
}
