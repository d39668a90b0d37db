import BenchSupport

/// The `docker` CLI: one process per step, as a shell script would do it.
struct CLIMethod: BenchMethod {
    let docker: ChildProcess
    /// `-H unix://…`, so the CLI talks to the same daemon as the others whatever its context says.
    let hostArguments: [String]
    var method: Method { .cli }

    init(docker: ChildProcess, socketPath: String) {
        self.docker = docker
        self.hostArguments = ["-H", "unix://\(socketPath)"]
    }

    func lifecycle(_ target: BenchTarget) async throws {
        var create = hostArguments + ["create"]
        for (name, value) in target.labels.sorted(by: { $0.key < $1.key }) {
            create += ["--label", "\(name)=\(value)"]
        }
        for option in target.securityOpt {
            create += ["--security-opt", option]
        }
        create += [target.image] + target.command
        let id = try await docker.check(create).stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !id.isEmpty else { throw BenchFailure("docker create printed no container id") }
        try await docker.check(hostArguments + ["start", id])
        try await docker.check(hostArguments + ["rm", "-f", id])
    }

    func execEcho(in containerID: String) async throws -> ExecOutcome {
        // `docker exec` exits with the command's exit code; that is the result, not a failure.
        let output = try await docker.run(hostArguments + ["exec", containerID, "echo", "hi"])
        if output.status != 0 && !output.stderrText.isEmpty {
            throw BenchFailure("docker exec exited \(output.status): \(output.stderrText)")
        }
        return ExecOutcome(stdout: output.stdoutText, exitCode: Int(output.status), inspects: nil)
    }
}
