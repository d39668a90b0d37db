import ArgumentParser
import Foundation
import IsolationCore

/// `create`'s container settings as docker-like flags; each fills one `EnvironmentSpec` field,
/// and the core's `validate()` still judges the values.
struct ContainerFlags: ParsableArguments {
    @Option(help: "A memory limit, e.g. 512m or 2g.")
    var memory: String?

    @Option(help: "A CPU limit in cores, e.g. 1.5.")
    var cpus: String?

    @Option(
        name: [.customShort("p"), .customLong("publish")],
        help: ArgumentHelp(
            "A container port to publish on a random host port, e.g. -p 8080; repeat for more.",
            discussion: "HOST:CONTAINER is refused: host ports are always picked free (`inspect` shows them).",
            valueName: "port"))
    var publish: [String] = []

    @Option(
        name: [.customShort("v"), .customLong("volume")],
        help: ArgumentHelp(
            "NAME:/path[:ro] (a named volume) or /host:/path[:ro] (a bind mount); repeat for more.", valueName: "source:target[:ro]"))
    var volume: [String] = []

    @Option(help: ArgumentHelp("The network: isolated (the default), none, or an existing network's name.", valueName: "name"))
    var network: String?

    @Option(
        help: ArgumentHelp(
            "The container's command, split on spaces, or a JSON array (default: the image's, or idle in sandbox mode).",
            valueName: "command"))
    var command: String?

    @Option(help: ArgumentHelp("The program to run instead of the image's entrypoint.", valueName: "program"))
    var entrypoint: String?

    @Option(help: ArgumentHelp("Build the image from this context directory instead of --image.", valueName: "context"))
    var build: String?

    @Option(help: "With --build: the Dockerfile, relative to the context (default: Dockerfile).")
    var dockerfile: String?

    @Option(name: .customLong("build-arg"), help: "With --build: a build argument as KEY=VALUE; repeat for more.")
    var buildArgs: [String] = []

    @Option(help: "The working directory inside the container.")
    var workdir: String?

    @Option(help: "The user inside the container: a name or uid, optionally with :group.")
    var user: String?

    @Flag(name: .customLong("read-only"), help: "Mount the container's root filesystem read-only.")
    var readOnly = false

    @Option(name: .customLong("cap-add"), help: "A Linux capability to add, e.g. NET_ADMIN; repeat for more.")
    var capAdd: [String] = []

    @Option(name: .customLong("cap-drop"), help: "A Linux capability to drop, e.g. ALL; repeat for more.")
    var capDrop: [String] = []

    /// The flags given, by name: for `--spec`'s conflict check and the engine check.
    var given: [(name: String, given: Bool)] {
        [
            ("--memory", memory != nil), ("--cpus", cpus != nil), ("--publish", !publish.isEmpty), ("--volume", !volume.isEmpty),
            ("--network", network != nil), ("--command", command != nil), ("--entrypoint", entrypoint != nil),
            ("--build", build != nil), ("--dockerfile", dockerfile != nil), ("--build-arg", !buildArgs.isEmpty),
            ("--workdir", workdir != nil), ("--user", user != nil), ("--read-only", readOnly), ("--cap-add", !capAdd.isEmpty),
            ("--cap-drop", !capDrop.isEmpty),
        ]
    }

    /// - Throws: `ValidationError` naming the flag when a value cannot be read, or a container
    ///   flag is given for an engine that has no container (`--engine virtualenv`).
    func check(engine: String?) throws {
        if engine == EngineKind.virtualenv.rawValue, let flag = given.first(where: \.given) {
            throw ValidationError("\(flag.name) does not apply to the virtualenv engine; drop it or use --engine docker")
        }
        if build == nil, let flag = [("--dockerfile", dockerfile != nil), ("--build-arg", !buildArgs.isEmpty)].first(where: \.1) {
            throw ValidationError("\(flag.0) needs --build CONTEXT")
        }
        _ = try ports()
        _ = try mounts()
        _ = try commandLine()
        _ = try parseVariables(buildArgs, option: "--build-arg")
    }

    /// Fills the container fields of `spec`.
    func apply(to spec: inout EnvironmentSpec) throws {
        if memory != nil || cpus != nil {
            var resources = spec.resources ?? ResourceLimits()
            resources.memory = memory ?? resources.memory
            resources.cpus = cpus ?? resources.cpus
            spec.resources = resources
        }
        spec.ports = try ports()
        spec.volumes = try mounts()
        spec.network = network
        spec.command = try commandLine()
        spec.entrypoint = entrypoint.map { [$0] }
        if let build {
            spec.build = BuildSpec(
                context: URL(fileURLWithPath: build).path, dockerfile: dockerfile ?? "Dockerfile",
                args: try parseVariables(buildArgs, option: "--build-arg"))
        }
        spec.workdir = workdir
        spec.user = user
        spec.readOnlyRoot = readOnly
        spec.capAdd = capAdd
        spec.capDrop = capDrop
    }

    /// `-p PORT`: only the container port, as the spec holds it; host ports are picked free so
    /// parallel environments never collide.
    private func ports() throws -> [Int] {
        try publish.map { value in
            if value.contains(":") {
                throw ValidationError(
                    "--publish '\(value)': HOST:CONTAINER is not supported; give the container port alone (the host port is picked free)")
            }
            guard let port = Int(value) else { throw ValidationError("--publish '\(value)' is not a port number") }
            return port
        }
    }

    /// `-v SOURCE:TARGET[:ro|rw]`, as docker reads it: a source with `/` (or starting with `.`) is a bind mount.
    private func mounts() throws -> [VolumeMount] {
        try volume.map { value in
            let parts = value.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard (2...3).contains(parts.count), !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--volume '\(value)' must be SOURCE:TARGET or SOURCE:TARGET:ro")
            }
            guard parts.count == 2 || ["ro", "rw"].contains(parts[2]) else {
                throw ValidationError("--volume '\(value)': the mode '\(parts[2])' must be ro or rw")
            }
            // A relative bind source means the caller's directory, as `docker run -v ./data:/data` does.
            let source = parts[0].hasPrefix(".") ? URL(fileURLWithPath: parts[0]).standardizedFileURL.path : parts[0]
            return VolumeMount(source: source, target: parts[1], readOnly: parts.count == 3 && parts[2] == "ro")
        }
    }

    /// `--command`: a JSON array keeps arguments with spaces; otherwise words split on spaces.
    private func commandLine() throws -> [String]? {
        guard let command else { return nil }
        if command.hasPrefix("[") {
            guard let argv = try? JSONDecoder().decode([String].self, from: Data(command.utf8)) else {
                throw ValidationError("--command '\(command)' starts with '[' but is not a JSON array of strings")
            }
            return argv
        }
        return command.split(separator: " ").map(String.init)
    }
}
