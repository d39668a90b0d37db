import DockerAPI
import Foundation
import Testing

/// The real daemon the project's scripts start, and the images they build.
enum TestDocker {
    static let busybox = "ptest-iso-test/busybox:latest"
    static let python = "ptest-iso-test/python:bookworm"
    /// Every resource a test creates carries this label, so leftovers can be found.
    static let testLabel = "ptest-iso.test"

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static func configuration() throws -> DockerClient.Configuration {
        try DockerClient.Configuration.fromEnvironment()
    }

    /// Runs `body` with a connected client, shutting it down afterwards.
    static func withClient<R>(_ body: (DockerClient) async throws -> R) async throws -> R {
        try await withDockerClient(try configuration(), body)
    }

    /// Runs `body`, then `cleanup` with a client of its own whether or not `body` threw, and
    /// waits for it: a `defer` cannot await, and a task started from one dies unrun when the
    /// test process exits first (leaked tags, networks and volumes piled up run after run).
    static func withCleanup<R>(_ cleanup: (DockerClient) async throws -> Void, _ body: () async throws -> R) async throws -> R {
        let result: Result<R, any Error>
        do { result = .success(try await body()) } catch { result = .failure(error) }
        _ = try? await withClient(cleanup)
        return try result.get()
    }

    static func uniqueName(_ prefix: String) -> String {
        "ptest-iso-test-\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// A busybox spec labelled for this test run that sleeps until stopped.
    static func sleeper(_ image: String = busybox) -> ContainerSpec {
        var spec = ContainerSpec(image: image)
        spec.command = ["sleep", "3600"]
        spec.labels = [testLabel: "1"]
        spec.stopTimeoutSeconds = 1
        return spec
    }

    /// Creates and starts a container, runs `body`, and always removes the container.
    static func withContainer<R>(
        _ client: DockerClient,
        _ spec: ContainerSpec = sleeper(),
        start: Bool = true,
        _ body: (String) async throws -> R
    ) async throws -> R {
        let id = try await client.createContainer(spec).id
        do {
            if start { try await client.startContainer(id) }
            let result = try await body(id)
            try await client.removeContainer(id, force: true, removeVolumes: true)
            return result
        } catch {
            try? await client.removeContainer(id, force: true, removeVolumes: true)
            throw error
        }
    }

    /// Runs a shell command in the container and returns its trimmed stdout, requiring exit 0.
    static func shell(_ client: DockerClient, _ id: String, _ script: String, user: String? = nil) async throws -> String {
        let result = try await client.exec(id, ExecOptions(["sh", "-c", script], user: user))
        #expect(result.exitCode == 0, "`\(script)` failed: \(result.stderrText)")
        return result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs one of the project's scripts (they are idempotent and quick when their service already runs).
    static func runScript(_ name: String, _ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [repositoryRoot.appendingPathComponent("scripts/\(name)").path] + arguments
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "scripts/\(name) \(arguments.joined(separator: " ")) failed")
    }

    static func temporaryDirectory(_ name: String = "t") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ptest-iso-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
