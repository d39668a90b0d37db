import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// The Docker engine against the real daemon and the locally built test images.
@Suite struct DockerEngineTests {
    static let busybox = "ptest-iso-test/busybox:latest"
    static let python = "ptest-iso-test/python:bookworm"

    func manager(_ home: borrowing TestHome, session: String = "docker-tests") throws -> IsolationManager {
        try IsolationManager(
            configuration: .init(home: home.url, session: session),
            engines: [VirtualenvEngine(home: home.url), DockerEngine()])
    }

    func containers(labelled labels: [String]) async throws -> [ContainerSummary] {
        try await withDockerClient(try .fromEnvironment()) { try await $0.listContainers(all: true, filters: ["label": labels]) }
    }

    @Test func anImagePicksDockerAndTheSpecIsVisibleInside() async throws {
        let home = try TestHome("docker-spec")
        let manager = try manager(home)
        let spec = EnvironmentSpec(
            environment: ["GREETING": "hi"], labels: ["team": "qa"], image: Self.busybox,
            resources: ResourceLimits(memory: "64m", cpus: "500m", pids: 50))
        #expect(try manager.chooseEngine(for: spec).engine == .docker)
        let environment = try await manager.create(spec)
        #expect(environment.engine == .docker)
        let inside = try await manager.run(
            environment.id,
            Command([
                "sh", "-c",
                "echo $GREETING; cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes; pwd; ls /sys/class/net",
            ]))
        #expect(inside.stdoutText == "hi\n\(64 << 20)\n/work\nlo\n", "\(inside.stderrText)")
        let labelled = try await containers(labelled: [
            "ptest-iso.environment=\(environment.id)", "ptest-iso.session=docker-tests", "team=qa",
        ])
        #expect(labelled.count == 1)
        try await manager.destroy(environment.id)
        #expect(try await containers(labelled: ["ptest-iso.environment=\(environment.id)"]).isEmpty)
    }

    @Test func publishedPortsAreReportedAndAnswerOnTheHost() async throws {
        let home = try TestHome("docker-ports")
        let manager = try manager(home)
        // A sandbox: its httpd is started through exec below.
        let environment = try await manager.create(EnvironmentSpec(image: Self.busybox, ports: [8080], mode: .sandbox))
        #expect(environment.details["network"] == "ptest-iso-\(environment.id)")
        let hostPort = try #require(environment.details["port.8080"].flatMap(Int.init))
        _ = try await manager.run(
            environment.id,
            Command(["sh", "-c", "mkdir -p /tmp/www && echo published > /tmp/www/index.html && (httpd -p 8080 -h /tmp/www &)"]))
        var body = ""
        for _ in 0..<50 {
            if let data = try? Data(contentsOf: URL(string: "http://127.0.0.1:\(hostPort)/index.html")!) {
                body = String(decoding: data, as: UTF8.self)
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(body == "published\n")
        let noNetwork = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(image: Self.busybox, network: "none", ports: [80]))
        }
        #expect(noNetwork?.message.hasPrefix("ports:") == true)
        let badPort = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(image: Self.busybox, ports: [70000]))
        }
        #expect(badPort?.message.hasPrefix("ports[0]: 70000") == true)
        // Docker's default bridge takes no network alias: a container joins it without one.
        let onBridge = try await manager.create(EnvironmentSpec(image: Self.busybox, network: "bridge", ports: [8080], mode: .sandbox))
        #expect(onBridge.details["network"] == "bridge")
        #expect(onBridge.details["port.8080"].flatMap(Int.init) != nil)
        try await manager.destroySession()
    }

    @Test func badDockerSpecsNameTheField() async throws {
        let home = try TestHome("docker-bad")
        let manager = try manager(home)
        let memory = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(image: Self.busybox, resources: ResourceLimits(memory: "lots")))
        }
        #expect(memory?.code == .invalidSpec)
        #expect(memory?.message.hasPrefix("resources.memory: 'lots'") == true)
        let cpus = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(image: Self.busybox, resources: ResourceLimits(cpus: "-1")))
        }
        #expect(cpus?.message.hasPrefix("resources.cpus") == true)
        let image = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(image: "ptest-iso-test/missing:nope"))
        }
        #expect(image?.code == .invalidSpec)
        // Not on the daemon, and no registry has it (none is reachable here): the pull's answer is named.
        #expect(
            image?.message.hasPrefix("image: 'ptest-iso-test/missing:nope' is not on the daemon and could not be pulled") == true,
            "\(image?.message ?? "")")
        // Nothing of the failed creations is left.
        let failed = Set(try await manager.list(EnvironmentFilter(liveOnly: false)).filter { $0.status == .failed }.map(\.id))
        #expect(
            try await containers(labelled: ["ptest-iso.session=docker-tests", "ptest-iso.managed=true"]).filter {
                $0.labels?["ptest-iso.environment"].map(failed.contains) ?? false
            }.isEmpty)
    }

    @Test func environmentsOnASharedNetworkReachEachOtherButIsolatedOnesDoNot() async throws {
        let home = try TestHome("docker-net")
        let manager = try manager(home)
        let shared = "ptest-iso-test-shared-\(UUID().uuidString.prefix(6).lowercased())"
        let server = try await manager.create(EnvironmentSpec(name: "db", image: Self.busybox, network: shared))
        _ = try await manager.run(
            server.id, Command(["sh", "-c", "mkdir -p /tmp/www && echo pong > /tmp/www/index.html && (httpd -p 80 -h /tmp/www &)"]))
        let peer = try await manager.create(EnvironmentSpec(image: Self.busybox, network: shared))
        let loner = try await manager.create(EnvironmentSpec(image: Self.busybox, network: "isolated"))
        var reply = CommandResult(exitCode: 1, stdout: Data(), stderr: Data(), durationSeconds: 0, timedOut: false)
        for _ in 0..<20 {
            reply = try await manager.run(peer.id, Command(["timeout", "5", "wget", "-q", "-O", "-", "http://db/"]))
            if reply.exitCode == 0 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(reply.stdoutText == "pong\n")
        let blocked = try await manager.run(loner.id, Command(["timeout", "3", "wget", "-q", "-O", "-", "http://db/"]))
        #expect(blocked.exitCode != 0)
        try await manager.destroySession()
        let leftover = try await withDockerClient(try .fromEnvironment()) { client in
            let networks = try await client.listNetworks(filters: ["name": ["ptest-iso-\(loner.id)"]])
            try? await client.removeNetwork(shared)
            return networks
        }
        #expect(leftover.isEmpty)
    }

    @Test func packagesFilesTimeoutsAndSnapshotsInAPythonContainer() async throws {
        let home = try TestHome("docker-py")
        let wheels = home.url.appendingPathComponent("wheels")
        try Wheels.make("ptiso_dock", "1.0.0", in: wheels)
        let manager = try manager(home)
        let environment = try await manager.create(EnvironmentSpec(image: Self.python))
        try await manager.install(environment.id, PackageRequest(requirements: ["ptiso_dock"], findLinks: [wheels.path], offline: true))
        #expect(try await manager.packages(environment.id).contains(InstalledPackage(name: "ptiso_dock", version: "1.0.0")))
        let imported = try await manager.run(environment.id, Command(["python3", "-c", "import ptiso_dock; print(ptiso_dock.VERSION)"]))
        #expect(imported.stdoutText == "1.0.0\n")

        let tree = home.url.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: tree, withIntermediateDirectories: true)
        try Data("seed\n".utf8).write(to: tree.appendingPathComponent("seed.txt"))
        try await manager.copyIn(environment.id, from: tree)
        #expect(try await manager.run(environment.id, Command(["cat", "data/seed.txt"])).stdoutText == "seed\n")

        let slow = try await manager.run(environment.id, Command(["sh", "-c", "sleep 60 & sleep 61"], timeoutSeconds: 1))
        #expect(slow.timedOut)

        let snapshot = try await manager.snapshot(environment.id, name: "docker-before-\(environment.id)")
        try await manager.uninstall(environment.id, ["ptiso_dock"])
        _ = try await manager.run(environment.id, Command(["sh", "-c", "echo changed > data/seed.txt"]))
        let restored = try await manager.restore(snapshot.id)
        #expect(restored.engine == .docker)
        #expect(try await manager.packages(restored.id).map(\.name).contains("ptiso_dock"))
        #expect(try await manager.run(restored.id, Command(["cat", "data/seed.txt"])).stdoutText == "seed\n")

        // An existing directory: the copy goes inside it under its own name.
        let out = home.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try await manager.copyOut(restored.id, from: "data", to: out)
        #expect(try String(contentsOf: out.appendingPathComponent("data/seed.txt"), encoding: .utf8) == "seed\n")

        try await manager.destroySession()
        try await manager.deleteSnapshot(snapshot.id)
        let images = try await withDockerClient(try .fromEnvironment()) { client in
            try await client.listImages(filters: ["label": ["ptest-iso.snapshot=\(snapshot.id)"]])
        }
        #expect(images.isEmpty)
        #expect(try await containers(labelled: ["ptest-iso.session=docker-tests", "ptest-iso.environment=\(environment.id)"]).isEmpty)
    }
}
