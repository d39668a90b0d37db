import DockerAPI
import Foundation
import Testing

/// The second, TLS-protected daemon from `scripts/tls-daemon.sh`.
enum TLSDaemon {
    static let port = Int(ProcessInfo.processInfo.environment["PTEST_ISO_TLS_PORT"] ?? "") ?? 23760
    static let directory = ProcessInfo.processInfo.environment["PTEST_ISO_TLS_DIR"] ?? "/tmp/ptest-iso-tls-daemon"

    /// Starts the daemon (a fast no-op when it already answers).
    static func start() throws {
        try TestDocker.runScript("tls-daemon.sh", "start")
    }

    static func endpoint(ca: String = "ca.pem", certificateDirectory: String? = nil) -> DockerEndpoint {
        let certs = certificateDirectory ?? directory
        return DockerEndpoint(
            address: .tcp(host: "127.0.0.1", port: port),
            tls: .init(
                caCertificatePath: "\(directory)/\(ca)",
                clientCertificatePath: "\(certs)/cert.pem",
                clientKeyPath: "\(certs)/key.pem"
            )
        )
    }

    /// A busybox image on the TLS daemon, imported through the API itself.
    static func ensureBusybox(_ client: DockerClient) async throws -> String {
        let reference = "ptest-iso-test/tls-busybox:latest"
        if (try? await client.inspectImage(reference)) != nil { return reference }
        let rootfs = try TestDocker.temporaryDirectory("tls-rootfs")
        defer { try? FileManager.default.removeItem(at: rootfs) }
        let bin = rootfs.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: bin.appendingPathComponent("busybox").path)
        for applet in ["sh", "cat", "wc", "sleep", "echo", "kill"] {
            try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent(applet).path, withDestinationPath: "busybox")
        }
        try await client.importImage(rootfs: try TarArchive.archive(directory: rootfs), reference: reference, changes: ["ENV PATH=/bin"])
        return reference
    }
}

@Suite(.serialized) struct TLSTests {
    @Test func theRightClientCertificateIsAccepted() async throws {
        try TLSDaemon.start()
        try await withDockerClient(.init(endpoint: TLSDaemon.endpoint())) { client in
            let ping = try await client.ping()
            #expect(ping.apiVersion != nil)
            #expect(client.apiVersion == min(ping.apiVersion!, APIVersion.maximumSupported))
            #expect(!(try await client.version().version.isEmpty))
        }
    }

    @Test func dockerTLSVariablesSelectTheTLSDaemon() async throws {
        try TLSDaemon.start()
        let configuration = try DockerClient.Configuration.fromEnvironment([
            "DOCKER_HOST": "tcp://127.0.0.1:\(TLSDaemon.port)",
            "DOCKER_TLS_VERIFY": "1",
            "DOCKER_CERT_PATH": TLSDaemon.directory,
        ])
        #expect(configuration.endpoint.tls?.verifyServer == true)
        try await withDockerClient(configuration) { client in
            _ = try await client.listContainers()
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aWrongCAIsRefusedWithATLSError() async throws {
        try TLSDaemon.start()
        let error = await #expect(throws: DockerError.self) {
            try await DockerClient.connect(.init(endpoint: TLSDaemon.endpoint(ca: "wrong-ca/ca.pem"))).shutdown()
        }
        #expect(error?.code == .tlsFailure)
        #expect(error?.message.contains("127.0.0.1:\(TLSDaemon.port)") == true)
        #expect(error?.message.contains("DOCKER_CERT_PATH") == true)
    }

    @Test(.timeLimit(.minutes(5)))
    func aClientCertificateTheDaemonDoesNotTrustIsRefused() async throws {
        try TLSDaemon.start()
        let endpoint = TLSDaemon.endpoint(certificateDirectory: "\(TLSDaemon.directory)/wrong-ca")
        let error = await #expect(throws: DockerError.self) {
            try await DockerClient.connect(.init(endpoint: endpoint)).shutdown()
        }
        #expect(error?.code == .tlsFailure)
    }

    @Test(.timeLimit(.minutes(5)))
    func plainHTTPToTheTLSPortFailsClearly() async throws {
        try TLSDaemon.start()
        let endpoint = try DockerEndpoint.parse(host: "tcp://127.0.0.1:\(TLSDaemon.port)")
        let error = await #expect(throws: DockerError.self) {
            try await DockerClient.connect(.init(endpoint: endpoint)).shutdown()
        }
        #expect(error?.message.contains("HTTPS") == true)
    }

    @Test func containersAndStdinExecWorkOverTLS() async throws {
        try TLSDaemon.start()
        try await withDockerClient(.init(endpoint: TLSDaemon.endpoint())) { client in
            let image = try await TLSDaemon.ensureBusybox(client)
            var spec = ContainerSpec(image: image)
            spec.command = ["sleep", "3600"]
            spec.labels = [TestDocker.testLabel: "1"]
            try await TestDocker.withContainer(client, spec) { id in
                let result = try await client.exec(
                    id, ExecOptions(["sh", "-c", "wc -c; echo err >&2"], stdin: Data(repeating: 65, count: 100_000)))
                #expect(result.stdoutText.trimmingCharacters(in: .whitespaces) == "100000\n")
                #expect(result.stderrText == "err\n")
                let timed = try await client.exec(id, ExecOptions(["sleep", "60"], timeout: .milliseconds(500)))
                #expect(timed.timedOut)
            }
        }
    }
}
