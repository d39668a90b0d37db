import Foundation
import IsolationCore
import TestSupport
import Testing

/// `create`'s docker-like flags: each reaches the container, and bad or misplaced ones fail in one line.
@Suite(.serialized) struct CreateFlagsTests {
    static let image = "ptest-iso-test/busybox:latest"

    /// `docker inspect` of a container, as JSON.
    func dockerInspect(_ container: String) throws -> [String: Any] {
        let text = try CLI.runProgram("/usr/bin/env", ["docker", "inspect", container], environment: ProcessInfo.processInfo.environment)
        let list = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]
        return try #require(list?.first)
    }

    @Test func containerFlagsReachTheContainer() throws {
        let home = try TestHome("cli-create-flags")
        let state = ["--home", home.url.path]
        let created = try CLI.run(
            [
                "create", "--image", Self.image, "--memory", "64m", "--cpus", "0.5", "-p", "8080", "-v", "cliflagsvol:/data:ro",
                "--workdir", "/tmp", "--user", "1000", "--command", "sleep 300", "--cap-drop", "ALL", "--json",
            ] + state)
        #expect(created.status == 0, "\(created.output)")
        let environment = try JSONDecoder.seconds.decode(Environment.self, from: Data(created.stdout.utf8))
        defer { _ = try? CLI.run(["rm", "--force", environment.id] + state) }
        #expect(environment.details["port.8080"] != nil, "\(environment.details)")

        let container = try dockerInspect(environment.location)
        let host = container["HostConfig"] as? [String: Any] ?? [:]
        let config = container["Config"] as? [String: Any] ?? [:]
        #expect(host["Memory"] as? Int == 64 * 1024 * 1024)
        #expect(host["NanoCpus"] as? Int == 500_000_000)
        #expect(host["CapDrop"] as? [String] == ["ALL"])
        #expect(config["WorkingDir"] as? String == "/tmp")
        #expect(config["User"] as? String == "1000")
        #expect(config["Cmd"] as? [String] == ["sleep", "300"])
        let mounts = container["Mounts"] as? [[String: Any]] ?? []
        #expect(mounts.contains { $0["Destination"] as? String == "/data" && $0["RW"] as? Bool == false }, "\(mounts)")
    }

    @Test func networkNoneReachesTheContainer() throws {
        let home = try TestHome("cli-create-network")
        let state = ["--home", home.url.path]
        let created = try CLI.run(["create", "--image", Self.image, "--network", "none", "--json"] + state)
        #expect(created.status == 0, "\(created.output)")
        let environment = try JSONDecoder.seconds.decode(Environment.self, from: Data(created.stdout.utf8))
        defer { _ = try? CLI.run(["rm", "--force", environment.id] + state) }
        let host = try dockerInspect(environment.location)["HostConfig"] as? [String: Any] ?? [:]
        #expect(host["NetworkMode"] as? String == "none")
    }

    /// The image built from a context with a build argument; the other process-shaping flags.
    @Test func buildEntrypointReadOnlyAndCapabilitiesReachTheContainer() throws {
        let home = try TestHome("cli-create-build")
        let state = ["--home", home.url.path]
        let context = home.url.appendingPathComponent("ctx")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try "FROM \(Self.image)\nARG MARK\nRUN echo $MARK > /mark\n".write(
            to: context.appendingPathComponent("Containerfile"), atomically: true, encoding: .utf8)
        let created = try CLI.run(
            [
                "create", "--build", context.path, "--dockerfile", "Containerfile", "--build-arg", "MARK=from-flag",
                "--entrypoint", "sh", "--command", #"["-c", "sleep 300"]"#, "--read-only", "--cap-add", "NET_ADMIN", "--json",
            ] + state)
        #expect(created.status == 0, "\(created.output)")
        let environment = try JSONDecoder.seconds.decode(Environment.self, from: Data(created.stdout.utf8))
        defer { _ = try? CLI.run(["rm", "--force", environment.id] + state) }

        let read = try CLI.run(["run", environment.id] + state + ["--", "cat", "/mark"])
        #expect(read.stdout == "from-flag\n", "\(read.output)")
        let container = try dockerInspect(environment.location)
        let host = container["HostConfig"] as? [String: Any] ?? [:]
        let config = container["Config"] as? [String: Any] ?? [:]
        #expect(config["Entrypoint"] as? [String] == ["sh"])
        #expect(config["Cmd"] as? [String] == ["-c", "sleep 300"])
        #expect(host["ReadonlyRootfs"] as? Bool == true)
        #expect(host["CapAdd"] as? [String] == ["NET_ADMIN"] || host["CapAdd"] as? [String] == ["CAP_NET_ADMIN"], "\(host)")
    }

    @Test(arguments: [
        (["--engine", "virtualenv", "--memory", "1g"], "--memory does not apply to the virtualenv engine"),
        (["--engine", "virtualenv", "-p", "80"], "--publish does not apply to the virtualenv engine"),
        (["--image", image, "-p", "80:8080"], "HOST:CONTAINER is not supported"),
        (["--image", image, "-p", "http"], "--publish 'http' is not a port number"),
        (["--image", image, "-v", "data"], "--volume 'data' must be SOURCE:TARGET"),
        (["--image", image, "-v", "data:/d:rx"], "must be ro or rw"),
        (["--image", image, "--dockerfile", "D"], "--dockerfile needs --build CONTEXT"),
        (["--spec", "-", "--memory", "1g"], "--spec and --memory conflict"),
        (["--compose", "c.yml", "--cpus", "1"], "--compose and --cpus conflict"),
        (["--service", "redis", "-p", "80"], "--service and --publish conflict"),
    ])
    func badFlagsFailInOneLine(arguments: [String], message: String) throws {
        let home = try TestHome("cli-create-bad")
        let result = try CLI.run(["create"] + arguments + ["--home", home.url.path], stdin: Data("{}".utf8))
        #expect(result.status == 64, "\(result.output)")
        #expect(result.stdout.isEmpty && result.stderr.contains(message), "\(result.output)")
        #expect(result.stderr.split(separator: "\n").first?.contains(message) == true, "\(result.output)")
    }

    /// A value only the core can judge fails at creation, naming the spec field.
    @Test func badValuesNameTheField() throws {
        let home = try TestHome("cli-create-badvalue")
        let result = try CLI.run(["create", "--image", Self.image, "--memory", "lots", "--home", home.url.path])
        #expect(result.status != 0 && result.stdout.isEmpty, "\(result.output)")
        #expect(result.stderr.contains("memory"), "\(result.output)")
    }
}
