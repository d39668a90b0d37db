import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// `mode`: a service runs its image's own process, a sandbox idles for exec; against the real
/// daemon with an HTTP service image built from the busybox test image.
@Suite struct DockerServiceModeTests {
    static let busybox = DockerEngineTests.busybox
    /// What the image's own process writes first, and what it serves.
    static let banner = "service starting"
    static let page = "served by the image\n"

    func manager(_ home: borrowing TestHome, session: String, standbyDepth: Int = 0) throws -> IsolationManager {
        var configuration = IsolationManager.Configuration(home: home.url, session: session)
        configuration.dockerStandbyDepth = standbyDepth
        return try IsolationManager(
            configuration: configuration, engines: [VirtualenvEngine(home: home.url), DockerEngine(standbyDepth: standbyDepth)])
    }

    /// The image's CMD: an httpd on 8080, logging a banner first.
    static let serviceCommand = ["sh", "-c", "echo \(banner); exec httpd -f -v -p 8080 -h /www"]

    /// Builds an image of busybox with a page to serve and `command` as its CMD, runs `body`, and removes the image.
    func withServiceImage(
        _ home: borrowing TestHome, command: [String] = serviceCommand, _ body: (String) async throws -> Void
    ) async throws {
        let context = home.url.appendingPathComponent("service-context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        let cmd = String(decoding: try JSONEncoder().encode(command), as: UTF8.self)
        try """
        FROM \(Self.busybox)
        RUN mkdir -p /www && printf '\(Self.page.replacingOccurrences(of: "\n", with: "\\n"))' > /www/index.html
        CMD \(cmd)
        """.write(to: context.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
        let tag = "ptest-iso-test/http-service:\(UUID().uuidString.prefix(8).lowercased())"
        try await withDockerClient(try .fromEnvironment()) {
            _ = try await $0.buildImage(ImageBuildOptions(contextDirectory: context, tags: [tag], labels: ["ptest-iso.test": "1"]))
        }
        do {
            try await body(tag)
        } catch {
            _ = try? await withDockerClient(try .fromEnvironment()) { try await $0.removeImage(tag, force: true) }
            throw error
        }
        _ = try await withDockerClient(try .fromEnvironment()) { try await $0.removeImage(tag, force: true) }
    }

    func get(_ path: String, port: String?) throws -> String {
        let port = try #require(port.flatMap(Int.init))
        return String(decoding: try Data(contentsOf: URL(string: "http://127.0.0.1:\(port)\(path)")!), as: UTF8.self)
    }

    /// Whether httpd runs in the environment, waiting (bounded) for a service started without a
    /// readiness check to get from its shell to `exec httpd`.
    func runsHTTPD(_ manager: IsolationManager, _ id: String) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while try await manager.run(id, Command(["pidof", "httpd"])).exitCode != 0 {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    func inspect(_ id: String) async throws -> ContainerInspect {
        try await withDockerClient(try .fromEnvironment()) { try await $0.inspectContainer(id) }
    }

    func imageCommand(_ image: String) async throws -> [String]? {
        try await withDockerClient(try .fromEnvironment()) { try await $0.inspectImage(image).config?.cmd }
    }

    @Test func aServiceRunsItsImagesProcessWithExecFilesLogsStatsAndSnapshots() async throws {
        let home = try TestHome("docker-service")
        let manager = try manager(home, session: "docker-service-\(UUID().uuidString.prefix(6))")
        try await withServiceImage(home) { image in
            // No mode: published ports and a readiness check make it a service.
            let spec = EnvironmentSpec(image: image, ports: [8080], waitFor: [.http(.init(port: 8080, path: "/index.html"))])
            #expect(spec.effectiveMode == .service)
            let service = try await manager.create(spec)
            #expect(service.details["mode"] == "service")
            #expect(try await inspect(service.location).config.labels?["ptest-iso.mode"] == "service")
            #expect(try get("/index.html", port: service.details["port.8080"]) == Self.page)

            // Exec and files work beside the image's own process.
            #expect(try await manager.run(service.id, Command(["pidof", "httpd"])).exitCode == 0)
            let files = home.url.appendingPathComponent("files")
            try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
            try Data("copied in\n".utf8).write(to: files.appendingPathComponent("extra.html"))
            try await manager.copyIn(service.id, from: files.appendingPathComponent("extra.html"), to: ".")
            _ = try await manager.run(service.id, Command(["cp", "/work/extra.html", "/www/extra.html"]))
            #expect(try get("/extra.html", port: service.details["port.8080"]) == "copied in\n")
            let out = home.url.appendingPathComponent("out")
            try await manager.copyOut(service.id, from: "extra.html", to: out)
            // Copied to a path that does not exist, it is saved under that name (`docker cp`'s rule).
            #expect(try String(contentsOf: out, encoding: .utf8) == "copied in\n")

            // The log is the image's process's; stats count it.
            let logs = try await manager.logs(service.id).map { String(decoding: $0.data, as: UTF8.self) }.joined()
            #expect(logs.contains(Self.banner), "\(logs)")
            #expect(try await manager.stats(service.id).pids >= 2)

            // The snapshot image keeps the image's CMD, and its restore runs it (readiness passes again)
            // with the files of the snapshot's moment.
            let snapshot = try await manager.snapshot(service.id, name: "service-\(service.id)")
            #expect(try await imageCommand(snapshot.location) == Self.serviceCommand)
            let restored = try await manager.restore(snapshot.id)
            #expect(restored.details["mode"] == "service")
            #expect(try get("/extra.html", port: restored.details["port.8080"]) == "copied in\n")
            let restoredLogs = try await manager.logs(restored.id).map { String(decoding: $0.data, as: UTF8.self) }.joined()
            #expect(restoredLogs.contains(Self.banner), "\(restoredLogs)")

            try await manager.destroySession()
            try await manager.deleteSnapshot(snapshot.id)
        }
    }

    @Test func theSameImageAsASandboxIdlesAndItsSnapshotImageKeepsTheImagesCommand() async throws {
        let home = try TestHome("docker-sandbox")
        let manager = try manager(home, session: "docker-sandbox-\(UUID().uuidString.prefix(6))")
        try await withServiceImage(home) { image in
            let sandbox = try await manager.create(EnvironmentSpec(image: image, ports: [8080], mode: .sandbox))
            #expect(sandbox.details["mode"] == "sandbox")
            let container = try await inspect(sandbox.location)
            #expect(container.config.cmd == ["sleep", "2147483647"])
            #expect(container.config.labels?["ptest-iso.mode"] == "sandbox")
            // The container runs (exec works) and its processes hold no httpd.
            let processes = try await manager.run(sandbox.id, Command(["ps", "-o", "comm"]))
            #expect(processes.exitCode == 0 && processes.stdoutText.contains("sleep"), "\(processes.stdoutText)")
            #expect(!processes.stdoutText.contains("httpd"), "\(processes.stdoutText)")
            // No mode and nothing a service needs: a sandbox too.
            #expect(EnvironmentSpec(image: image).effectiveMode == .sandbox)

            // A commit would record `sleep`; the snapshot image gets the image's CMD back, and
            // the sandbox's restore idles again.
            let snapshot = try await manager.snapshot(sandbox.id, name: "sandbox-\(sandbox.id)")
            #expect(try await imageCommand(snapshot.location) == Self.serviceCommand)
            let restored = try await manager.restore(snapshot.id)
            #expect(restored.details["mode"] == "sandbox")
            #expect(try await inspect(restored.location).config.cmd == ["sleep", "2147483647"])

            try await manager.destroySession()
            try await manager.deleteSnapshot(snapshot.id)
        }
    }

    @Test func aServiceWhoseProcessExitsWhileAwaitedFailsWithItsLogs() async throws {
        let home = try TestHome("docker-service-exit")
        let manager = try manager(home, session: "docker-service-exit-\(UUID().uuidString.prefix(6))")
        try await withServiceImage(home, command: ["sh", "-c", "echo no config found >&2; exit 3"]) { image in
            let spec = EnvironmentSpec(image: image, waitFor: [.log(pattern: "never printed", times: 1)], readyTimeoutSeconds: 600)
            #expect(spec.effectiveMode == .service)
            let error = await #expect(throws: IsolationError.self) { try await manager.create(spec) }
            // Not a timeout: the wait ended when the image's process did.
            #expect(error?.code == .invalidSpec)
            #expect(
                error?.message.hasPrefix("command: the container exited with code 3 while waiting for wait_for[0]") == true,
                "\(error?.message ?? "")")
            #expect(error?.message.contains("no config found") == true, "\(error?.message ?? "")")
            let failed = try #require(try await manager.list(EnvironmentFilter(liveOnly: false)).first)
            let left = try await withDockerClient(try .fromEnvironment()) {
                try await $0.listContainers(all: true, filters: ["label": ["ptest-iso.environment=\(failed.id)"]])
            }
            #expect(left.isEmpty)
        }
    }

    @Test func aStandbyIsNeverHandedToTheOtherMode() async throws {
        let home = try TestHome("docker-mode-standby")
        let session = "docker-mode-standby-\(UUID().uuidString.prefix(6))"
        let manager = try manager(home, session: session, standbyDepth: 1)
        try await withServiceImage(home) { image in
            let sandboxSpec = EnvironmentSpec(image: image, mode: .sandbox)
            let serviceSpec = EnvironmentSpec(image: image, mode: .service)
            let firstSandbox = try await manager.create(sandboxSpec)
            await manager.waitForBackgroundWork()
            // A sandbox standby is waiting; the service does not take it.
            let firstService = try await manager.create(serviceSpec)
            #expect(firstService.details["standby"] == nil)
            #expect(firstService.details["mode"] == "service")
            #expect(try await runsHTTPD(manager, firstService.id))
            await manager.waitForBackgroundWork()

            // Each mode's next environment takes its own mode's standby.
            let secondService = try await manager.create(serviceSpec)
            #expect(secondService.details["standby"] == "true")
            #expect(try await inspect(secondService.location).config.labels?["ptest-iso.mode"] == "service")
            #expect(try await runsHTTPD(manager, secondService.id))
            let secondSandbox = try await manager.create(sandboxSpec)
            #expect(secondSandbox.details["standby"] == "true")
            #expect(try await inspect(secondSandbox.location).config.cmd == ["sleep", "2147483647"])
            #expect(try await manager.run(secondSandbox.id, Command(["pidof", "httpd"])).exitCode == 1)

            for environment in [firstSandbox, firstService, secondService, secondSandbox] { try await manager.destroy(environment.id) }
            await manager.shutdown()
        }
    }

    @Test func modeIsReadFromJSONAndRefusedForAVirtualenv() async throws {
        let spec = try EnvironmentSpec.decode(json: Data(#"{"image": "x", "mode": "service"}"#.utf8))
        #expect(spec.mode == .service)
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(spec)) as? [String: Any]
        #expect(encoded?["mode"] as? String == "service")
        let unknown = #expect(throws: IsolationError.self) { try EnvironmentSpec.decode(json: Data(#"{"mode": "daemon"}"#.utf8)) }
        #expect(unknown?.message.hasPrefix("mode:") == true, "\(unknown?.message ?? "")")
        // An explicit command wins in either mode; the mode only decides what runs without one.
        #expect(EnvironmentSpec(image: "x", ports: [80], command: ["run"]).effectiveMode == .service)
        #expect(EnvironmentSpec(image: "x", healthcheck: HealthcheckSpec(test: ["true"])).effectiveMode == .service)

        let home = try TestHome("docker-mode-venv")
        let manager = try manager(home, session: "docker-mode-venv")
        let venv = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(engine: .virtualenv, mode: .sandbox))
        }
        #expect(venv?.code == .invalidSpec)
        #expect(venv?.message.hasPrefix("mode:") == true, "\(venv?.message ?? "")")
    }
}
