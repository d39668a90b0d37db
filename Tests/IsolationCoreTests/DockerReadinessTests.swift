import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// `waitFor` against the real daemon: every strategy passing, a deadline, and a container that dies while waited for.
@Suite struct DockerReadinessTests {
    static let busybox = DockerEngineTests.busybox
    static let session = "docker-readiness-tests"

    func manager(_ home: borrowing TestHome) throws -> IsolationManager {
        try IsolationManager(
            configuration: .init(home: home.url, session: Self.session), engines: [VirtualenvEngine(home: home.url), DockerEngine()])
    }

    func containers(of environment: String) async throws -> [ContainerSummary] {
        try await withDockerClient(try .fromEnvironment()) {
            try await $0.listContainers(all: true, filters: ["label": ["ptest-iso.environment=\(environment)"]])
        }
    }

    @Test func createReturnsOnlyOnceEveryStrategyPasses() async throws {
        let home = try TestHome("docker-ready")
        let manager = try manager(home)
        // The service comes up a moment after the container starts; /ready is written last.
        let service = """
            sleep 1; mkdir -p /www && echo up > /www/index.html && httpd -p 8080 -h /www
            echo service listening; echo ready > /ready; exec sleep 2147483647
            """
        let environment = try await manager.create(
            EnvironmentSpec(
                image: Self.busybox, ports: [8080], command: ["sh", "-c", service],
                waitFor: [
                    .log(pattern: "^service listening$", times: 1), .tcp(port: 8080), .http(.init(port: 8080, path: "/index.html")),
                    .health, .command(["test", "-e", "/ready"]),
                ],
                healthcheck: HealthcheckSpec(test: ["test", "-e", "/ready"], intervalSeconds: 0.2)))
        let inside = try await manager.run(environment.id, Command(["cat", "/ready", "/www/index.html"]))
        #expect(inside.stdoutText == "ready\nup\n", "\(inside.stderrText)")
        try await manager.destroy(environment.id)
    }

    @Test func aStrategyThatNeverPassesTimesOutNamingItWithTheLastLogs() async throws {
        let home = try TestHome("docker-ready-timeout")
        let manager = try manager(home)
        let spec = EnvironmentSpec(
            image: Self.busybox, command: ["sh", "-c", "echo booted but not ready; exec sleep 2147483647"],
            // Long enough for the log line to be seen even on a loaded machine.
            waitFor: [.log(pattern: "booted", times: 1), .tcp(port: 5432)], readyTimeoutSeconds: 5)
        let error = await #expect(throws: IsolationError.self) { try await manager.create(spec) }
        #expect(error?.code == .timeout)
        #expect(error?.message.hasPrefix("wait_for[1] (tcp 5432) did not pass within 5.0 s") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("booted but not ready") == true)
        let failed = try #require(try await manager.list(EnvironmentFilter(liveOnly: false)).first)
        #expect(failed.status == .failed)
        #expect(try await containers(of: failed.id).isEmpty)
    }

    @Test func aContainerThatExitsWhileWaitedForFailsAtOnceWithItsExitCodeAndLogs() async throws {
        let home = try TestHome("docker-ready-exit")
        let manager = try manager(home)
        let spec = EnvironmentSpec(
            image: Self.busybox, command: ["sh", "-c", "echo cannot open config >&2; exit 3"],
            waitFor: [.log(pattern: "never printed", times: 1)], readyTimeoutSeconds: 600)
        let error = await #expect(throws: IsolationError.self) { try await manager.create(spec) }
        // Not a timeout: the wait ended when the container did.
        #expect(error?.code == .invalidSpec)
        #expect(
            error?.message.hasPrefix("command: the container exited with code 3 while waiting for wait_for[0]") == true,
            "\(error?.message ?? "")")
        #expect(error?.message.contains("cannot open config") == true)
        let failed = try #require(try await manager.list(EnvironmentFilter(liveOnly: false)).first)
        #expect(try await containers(of: failed.id).isEmpty)
    }

    @Test func anUnhealthyContainerTimesOutWithTheHealthcheckOutput() async throws {
        let home = try TestHome("docker-ready-unhealthy")
        let manager = try manager(home)
        let spec = EnvironmentSpec(
            // Long enough for a check to have run even on a loaded machine (the first is due after 0.2 s).
            image: Self.busybox, waitFor: [.health], readyTimeoutSeconds: 10,
            healthcheck: HealthcheckSpec(test: ["CMD-SHELL", "echo db not up; exit 1"], intervalSeconds: 0.2, retries: 1),
            // Kept alive: the image's own CMD (`sh`) would exit at once.
            mode: .sandbox)
        let error = await #expect(throws: IsolationError.self) { try await manager.create(spec) }
        #expect(error?.code == .timeout)
        #expect(error?.message.hasPrefix("wait_for[0] (health) did not pass") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("the last check exited with 1: db not up") == true, "\(error?.message ?? "")")
    }

    @Test func healthWithoutAHealthcheckIsAnInvalidSpec() async throws {
        let home = try TestHome("docker-ready-health")
        let manager = try manager(home)
        let error = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(image: Self.busybox, waitFor: [.health], mode: .sandbox))
        }
        #expect(error?.code == .invalidSpec)
        #expect(error?.message.hasPrefix("wait_for[0].health: the container has no healthcheck") == true, "\(error?.message ?? "")")
    }
}
