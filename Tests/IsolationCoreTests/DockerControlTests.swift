import DockerAPI
import Foundation
import IsolationCore
import Testing

/// Stop, start, restart, pause and unpause act on the container, not only on the record.
@Suite struct DockerControlTests {
    static let busybox = "ptest-iso-test/busybox:latest"

    func state(_ id: String) async throws -> ContainerInspect.State {
        try await withDockerClient(try .fromEnvironment()) { try await $0.inspectContainer(id).state }
    }

    @Test func theContainerFollowsTheEnvironmentsStatus() async throws {
        let home = try TestHome("control")
        let manager = try IsolationManager(
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
        #expect(try manager.get(environment.id).status == .paused)
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
        #expect(try manager.get(venv.id).status == .ready)
        try await manager.destroy(venv.id)
    }
}
