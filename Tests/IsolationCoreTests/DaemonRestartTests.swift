import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// A daemon that goes away in the middle of a run and comes back: a daemon of
/// the test's own (`scripts/tls-daemon.sh` with its own port, directory,
/// bridge and pool), so no other test loses the daemon it uses.
@Suite(.serialized) struct DaemonRestartTests {
    static let directory = "/tmp/ptest-iso-restart-daemon"
    static let port = 23_761
    static let scriptEnvironment = [
        "PTEST_ISO_TLS_PORT": String(port), "PTEST_ISO_TLS_DIR": directory, "PTEST_ISO_TLS_BRIDGE": "ptiso-br2",
        "PTEST_ISO_TLS_BRIDGE_IP": "10.217.0.1/24", "PTEST_ISO_TLS_POOL_PREFIX": "10.218", "PTEST_ISO_TLS_NAMESPACE": "ptest-iso-restart",
    ]
    static let dockerEnvironment = ["DOCKER_HOST": "tcp://127.0.0.1:\(port)", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": directory]

    /// - Parameter keepingCertificates: start with the certificates of the previous start rather than new ones.
    static func daemon(_ action: String, keepingCertificates: Bool = false) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/tls-daemon.sh").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, action]
        process.environment = ProcessInfo.processInfo.environment.merging(scriptEnvironment) { $1 }
        process.environment?["PTEST_ISO_TLS_KEEP_CERTS"] = keepingCertificates ? "1" : nil
        // The daemon it starts must not hold our pipes: its output goes to a file.
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw IsolationError(.ioFailure, "tls-daemon.sh \(action) failed; see \(directory)/dockerd.log")
        }
    }

    /// A busybox image on the test's daemon, imported through the API (no registry here).
    static func busybox() async throws -> String {
        let reference = "ptest-iso-test/restart-busybox:latest"
        var configuration = try DockerClient.Configuration.fromEnvironment(dockerEnvironment)
        configuration.pinnedAPIVersion = nil
        return try await withDockerClient(configuration) { client in
            if (try? await client.inspectImage(reference)) != nil { return reference }
            let rootfs = FileManager.default.temporaryDirectory.appendingPathComponent("restart-rootfs-\(UUID().uuidString.prefix(8))")
            defer { try? FileManager.default.removeItem(at: rootfs) }
            let bin = rootfs.appendingPathComponent("bin")
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: bin.appendingPathComponent("busybox").path)
            for applet in ["sh", "echo", "sleep", "true"] {
                try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent(applet).path, withDestinationPath: "busybox")
            }
            try await client.importImage(
                rootfs: try TarArchive.archive(directory: rootfs), reference: reference, changes: ["ENV PATH=/bin"])
            return reference
        }
    }

    @Test func operationsFailWhileTheDaemonIsGoneAndWorkAgainOnceItIsBack() async throws {
        try Self.daemon("start")
        defer { try? Self.daemon("stop") }
        let image = try await Self.busybox()
        let home = try TestHome("restart")
        let manager = try await IsolationManager.open(
            configuration: .init(home: home.url, session: "restart"),
            engines: [VirtualenvEngine(home: home.url), DockerEngine(environment: Self.dockerEnvironment)])
        let before = try await manager.create(EnvironmentSpec(image: image))
        #expect(try await manager.run(before.id, Command(["echo", "up"])).stdoutText == "up\n")

        try Self.daemon("stop")
        let unreachable = await #expect(throws: IsolationError.self) { try await manager.run(before.id, Command(["true"])) }
        #expect(unreachable?.code == .daemonUnavailable)
        let refused = await #expect(throws: IsolationError.self) { try await manager.create(EnvironmentSpec(image: image)) }
        #expect(refused?.code == .daemonUnavailable)
        // The state stays consistent: the first is still recorded, the refused one failed, none hangs in `creating`.
        #expect(try await manager.get(before.id).status == .ready)
        #expect(try await manager.list(EnvironmentFilter(statuses: [.creating])).isEmpty)
        #expect(try await manager.list(EnvironmentFilter(statuses: [.failed], liveOnly: false)).count == 1)

        try Self.daemon("start")
        let after = try await manager.create(EnvironmentSpec(image: image))
        #expect(try await manager.run(after.id, Command(["echo", "back"])).stdoutText == "back\n")
        // The daemon stopped the first one's container on its way down; it is still removable.
        try await manager.destroy(before.id)
        try await manager.destroy(after.id)
        #expect(try await manager.get(before.id).status == .destroyed)
    }

    /// With the same certificates the engine keeps its client across the restart: the
    /// connections the daemon dropped must not fail the requests made once it is back.
    @Test func theKeptClientWorksAgainOnceTheDaemonIsBackWithTheSameCertificates() async throws {
        try Self.daemon("start")
        defer { try? Self.daemon("stop") }
        let image = try await Self.busybox()
        let home = try TestHome("restart-kept")
        let manager = try await IsolationManager.open(
            configuration: .init(home: home.url, session: "restart-kept"),
            engines: [DockerEngine(environment: Self.dockerEnvironment)])
        let before = try await manager.create(EnvironmentSpec(image: image))
        #expect(try await manager.run(before.id, Command(["echo", "up"])).stdoutText == "up\n")

        try Self.daemon("stop")
        let unreachable = await #expect(throws: IsolationError.self) { try await manager.run(before.id, Command(["true"])) }
        #expect(unreachable?.code == .daemonUnavailable)

        try Self.daemon("start", keepingCertificates: true)
        // The first request after the return already works, and a burst of them too.
        let after = try await manager.create(EnvironmentSpec(image: image))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<4 {
                group.addTask {
                    let output = try await manager.run(after.id, Command(["echo", "\(index)"])).stdoutText
                    #expect(output == "\(index)\n")
                }
            }
            try await group.waitForAll()
        }
        try await manager.destroy(before.id)
        try await manager.destroy(after.id)
        await manager.shutdown()
    }
}
