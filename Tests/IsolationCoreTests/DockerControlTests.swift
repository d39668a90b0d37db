import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// Stop, start, restart, pause and unpause act on the container, not only on the record.
@Suite struct DockerControlTests {
    static let busybox = "ptest-iso-test/busybox:latest"

    func state(_ id: String) async throws -> ContainerInspect.State {
        try await withDockerClient(try .fromEnvironment()) { try await $0.inspectContainer(id).state }
    }

    @Test func theContainerFollowsTheEnvironmentsStatus() async throws {
        let home = try TestHome("control")
        let manager = try await IsolationManager.open(
            configuration: .init(home: home.url, session: "control"), engines: [VirtualenvEngine(home: home.url), DockerEngine()])
        let environment = try await manager.create(EnvironmentSpec(image: Self.busybox))
        let id = environment.location

        try await manager.stop(environment.id)
        #expect(try await state(id).running == false)
        await #expect(throws: IsolationError.self) { try await manager.run(environment.id, Command(["true"])) }
        try await manager.start(environment.id)
        #expect(try await state(id).running)
        #expect(try await manager.run(environment.id, Command(["echo", "again"])).stdoutText == "again\n")

        try await manager.pause(environment.id)
        #expect(try await state(id).paused)
        #expect(try await manager.get(environment.id).status == .paused)
        let refused = await #expect(throws: IsolationError.self) { try await manager.run(environment.id, Command(["true"])) }
        #expect(refused?.message.contains("paused") == true)
        try await manager.unpause(environment.id)
        #expect(try await state(id).paused == false)

        let started = try await state(id).startedAt
        try await manager.restart(environment.id)
        #expect(try await state(id).startedAt != started)
        #expect(try await manager.run(environment.id, Command(["echo", "restarted"])).stdoutText == "restarted\n")
        try await manager.destroy(environment.id)

        // A venv has no processes to freeze: a clear error, and its status is unchanged.
        let venv = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        let unsupported = await #expect(throws: IsolationError.self) { try await manager.pause(venv.id) }
        #expect(unsupported?.code == .engineUnavailable)
        #expect(try await manager.get(venv.id).status == .ready)
        try await manager.destroy(venv.id)
    }
}

/// A session's end must not take a shared network that a kept, stopped container still needs.
@Suite struct SharedNetworkCleanupTests {
    @Test func aKeptStoppedContainerKeepsItsSharedNetworkThroughTheSessionsEnd() async throws {
        let home = try TestHome("shared-keep")
        let session = "shared-keep-\(UUID().uuidString.prefix(8))"
        let network = "ptiso-shared-\(UUID().uuidString.prefix(8).lowercased())"
        let manager = try await IsolationManager.open(
            configuration: .init(home: home.url, session: session), engines: [VirtualenvEngine(home: home.url), DockerEngine()])
        let kept = try await manager.create(EnvironmentSpec(cleanup: .keep, image: DockerControlTests.busybox, network: network))
        let passing = try await manager.create(EnvironmentSpec(image: DockerControlTests.busybox, network: network))
        try await manager.stop(kept.id)

        let report = try await manager.cleanup(.endedSession(session))
        #expect(report.environments == [passing.id])
        #expect(!report.networks.contains(network))
        try await manager.start(kept.id)
        #expect(try await manager.run(kept.id, Command(["echo", "still here"])).stdoutText == "still here\n")
        try await manager.destroy(kept.id)
        let left = try await withDockerClient(try .fromEnvironment()) { try await $0.listNetworks(filters: ["name": [network]]) }
        #expect(left.filter { $0.name == network }.isEmpty, "the last user took the shared network with it")
    }
}
