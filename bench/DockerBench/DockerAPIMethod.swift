import DockerAPI

/// The library under test: one connected client, reused for every call, as a real user would.
struct DockerAPIMethod: BenchMethod {
    let client: DockerClient
    var method: Method { .dockerAPI }

    func lifecycle(_ target: BenchTarget) async throws {
        let id = try await client.createContainer(target.containerSpec).id
        try await client.startContainer(id)
        try await client.removeContainer(id, force: true)
    }

    func execEcho(in containerID: String) async throws -> ExecOutcome {
        let result = try await client.exec(containerID, ExecOptions(["echo", "hi"]))
        return ExecOutcome(stdout: result.stdoutText, exitCode: result.exitCode, inspects: nil)
    }
}

extension BenchTarget {
    /// The target as DockerAPI takes it; its default security options match ``securityOpt``.
    var containerSpec: ContainerSpec {
        var spec = ContainerSpec(image: image)
        spec.command = command
        spec.labels = labels
        return spec
    }
}
