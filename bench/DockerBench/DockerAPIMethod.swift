import DockerAPI

/// The library under test: one connected client, reused for every call, as a real user would.
struct DockerAPIMethod: BenchMethod {
    let client: DockerClient
    var method: Method { .dockerAPI }

    func lifecycle(_ target: BenchTarget) async throws {
        var spec = ContainerSpec(image: target.image)
        spec.command = target.command
        spec.labels = target.labels
        let id = try await client.createContainer(spec).id
        try await client.startContainer(id)
        try await client.removeContainer(id, force: true)
    }

    func execEcho(in containerID: String) async throws -> ExecOutcome {
        let result = try await client.exec(containerID, ExecOptions(["echo", "hi"]))
        return ExecOutcome(stdout: result.stdoutText, exitCode: result.exitCode, inspects: nil)
    }
}
