import DockerAPI
import Foundation
import IsolationCore
import Synchronization
import Testing

/// An image the daemon lacks is pulled, as `docker run` and testcontainers do — from the open
/// local registry of `scripts/registry.sh` (no other registry is reachable here).
@Suite(.serialized) struct DockerPullTests {
    static let registry = ProcessInfo.processInfo.environment["PTEST_ISO_REGISTRY"] ?? "127.0.0.1:5000"

    static func startRegistry() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/registry.sh").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "start"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw IsolationError(.ioFailure, "registry.sh start failed") }
    }

    @Test func aMissingImageIsPulledAndAnUnknownOneIsAnErrorNamingIt() async throws {
        try Self.startRegistry()
        let reference = "\(Self.registry)/ptest-iso-pull/busybox:\(UUID().uuidString.prefix(8).lowercased())"
        try await withDockerClient(try .fromEnvironment()) { client in
            try await client.tagImage(DockerEngineTests.busybox, as: reference)
            try await client.pushImage(reference)
            try await client.removeImage(reference)
        }
        let home = try TestHome("docker-pull")
        let manager = try IsolationManager(configuration: .init(home: home.url, session: "pull"), engines: [DockerEngine()])
        let events = manager.events()
        let environment = try await manager.create(EnvironmentSpec(image: reference))
        #expect(try await manager.run(environment.id, Command(["echo", "pulled"])).stdoutText == "pulled\n")
        let pulling = await firstEvent(in: events) { $0.kind == .progress && $0.detail == "pulling \(reference)" }
        #expect(pulling != nil)
        try await manager.destroy(environment.id)

        let missing = "\(Self.registry)/ptest-iso-pull/never-pushed:nope"
        let error = await #expect(throws: IsolationError.self) { try await manager.create(EnvironmentSpec(image: missing)) }
        #expect(error?.code == .invalidSpec)
        #expect(
            error?.message.hasPrefix("image: '\(missing)' is not on the daemon and could not be pulled") == true, "\(error?.message ?? "")")
        _ = try await withDockerClient(try .fromEnvironment()) { try await $0.removeImage(reference) }
    }
}
