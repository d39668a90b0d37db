import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import Synchronization

extension DockerClient {
    /// The shell prologue that makes a timeout enforceable: it prints its
    /// PID (which `exec` hands to the command) as the first stdout line.
    /// runc makes every exec'd process a session and group leader, so
    /// killing `-PID` also takes the command's children.
    static let pidPrologue = #"echo "$$"; exec "$@""#

    /// Runs a command in a running container and waits for it.
    ///
    /// stdout and stderr come back apart. With a timeout, the command
    /// runs under `sh` (to learn its PID) and its process group is killed
    /// at the deadline; in an image without `sh` the command runs
    /// directly and is abandoned, not killed, at the deadline.
    ///
    /// - Throws: `notFound` for an unknown container, `conflict` when it is not running.
    ///   A non-zero exit code or a timeout is reported in the ``ExecResult``, not thrown.
    public func exec(_ containerID: String, _ options: ExecOptions) async throws -> ExecResult {
        let gathered = Mutex<(stdout: Data, stderr: Data)>((Data(), Data()))
        // Without a timeout nothing needs the PID, so the command runs as given (no `sh` in between).
        let exit = try await execStreaming(containerID, options, killable: options.timeout != nil) { chunk in
            gathered.withLock { chunk.stream == .stderr ? $0.stderr.append(chunk.data) : $0.stdout.append(chunk.data) }
        }
        let (stdout, stderr) = gathered.withLock { $0 }
        return ExecResult(exitCode: exit.exitCode, stdout: stdout, stderr: stderr, duration: exit.duration, timedOut: exit.timedOut)
    }

    /// Runs a command in a running container, handing its output to `output` as it comes:
    /// stdout and stderr apart, each in order, one call at a time, and the next read from the
    /// daemon waits for `output` to return (backpressure).
    ///
    /// The command runs under `sh` to learn its PID, so that a timeout, a cancellation of the
    /// calling task or an error thrown by `output` kills it with its process group before this
    /// returns. In an image without `sh` the command runs directly and is abandoned, not killed.
    ///
    /// - Throws: `notFound` for an unknown container, `conflict` when it is not running, what
    ///   `output` throws, `CancellationError` when cancelled. A non-zero exit code or a timeout is
    ///   reported in the ``ExecExit``, not thrown.
    public func execStreaming(
        _ containerID: String, _ options: ExecOptions, output: @escaping @Sendable (OutputChunk) async throws -> Void
    ) async throws -> ExecExit {
        try await execStreaming(containerID, options, killable: true, output: output)
    }

    private func execStreaming(
        _ containerID: String, _ options: ExecOptions, killable: Bool, output: @escaping @Sendable (OutputChunk) async throws -> Void
    ) async throws -> ExecExit {
        guard !options.command.isEmpty else {
            throw DockerError(.badParameter, "exec: command is empty; pass the program and its arguments")
        }
        if killable {
            let wrapped = ["sh", "-c", Self.pidPrologue, "ptest-iso-exec"] + options.command
            // 126/127 with no PID line: the image has no usable `sh`; run the command as is.
            if let exit = try await runExec(containerID, options, argv: wrapped, reportsPID: true, output: output) { return exit }
        }
        return try await runExec(containerID, options, argv: options.command, reportsPID: false, output: output)!
    }

    /// Returns `nil` when `reportsPID` was asked for but the prologue never ran (nothing was handed to `output` then).
    private func runExec(
        _ containerID: String, _ options: ExecOptions, argv: [String], reportsPID: Bool,
        output: @escaping @Sendable (OutputChunk) async throws -> Void
    ) async throws -> ExecExit? {
        let started = ContinuousClock.now
        let body = ExecCreateBody(
            attachStdin: options.stdin != nil,
            env: options.environment.isEmpty ? nil : options.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
            cmd: argv,
            workingDir: options.workingDirectory,
            user: options.user,
            privileged: options.privileged ? true : nil
        )
        let created: IDResponse = try await json(.POST, "/containers/\(Self.pathComponent(containerID))/exec", body: body)
        let filter = ExecPIDFilter(expectsPIDLine: reportsPID)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await self.streamExecOutput(execID: created.id, stdin: options.stdin) { chunk in
                        for passed in filter.pass(chunk) { try await output(passed) }
                    }
                }
                if let timeout = options.timeout {
                    group.addTask {
                        try await Task.sleep(for: timeout)
                        filter.markTimedOut()
                        // On a loaded machine the command may not have printed its PID yet: wait for it, bounded.
                        let giveUp = ContinuousClock.now + .seconds(30)
                        while filter.pid == nil, ContinuousClock.now < giveUp {
                            try await Task.sleep(for: .milliseconds(20))
                        }
                        if let pid = filter.pid {
                            try? await self.killExecProcessGroup(containerID: containerID, pid: pid)
                        }
                        // The output stream ends once the process is gone; give it a bounded grace.
                        try await Task.sleep(for: .seconds(30))
                        throw DockerError(
                            .timeout, "exec \(argv.joined(separator: " ")) did not end within \(timeout) and could not be killed")
                    }
                }
                try await group.next()
                group.cancelAll()
            }
        } catch {
            // Cancelled, or `output` gave up: the command must not outlive the call. The kill runs in
            // a task of its own because this one's requests are cancelled too; it is awaited, so
            // nothing is left running when this returns.
            if let pid = filter.pid {
                await Task { try? await self.killExecProcessGroup(containerID: containerID, pid: pid) }.value
            }
            throw error
        }
        let exitCode = try await execExitCode(created.id)
        if reportsPID && !filter.sawPID && (exitCode == 126 || exitCode == 127) {
            return nil
        }
        for held in filter.finish() { try await output(held) }
        return ExecExit(exitCode: exitCode, duration: ContinuousClock.now - started, timedOut: filter.timedOut)
    }

    private func streamExecOutput(execID: String, stdin: Data?, into output: @escaping @Sendable (OutputChunk) async throws -> Void)
        async throws
    {
        let path = "/exec/\(Self.pathComponent(execID))/start"
        if let stdin {
            try await HijackedConnection.run(
                client: self, path: "/v\(apiVersion)\(path)", body: try DockerJSON.encode(ExecStartBody()), stdin: stdin, onChunk: output)
            return
        }
        let response = try await perform(
            .POST, path, headers: ["Content-Type": "application/json"],
            body: .bytes(ByteBuffer(data: try DockerJSON.encode(ExecStartBody())))
        )
        for try await chunk in DockerStream<OutputChunk>.frames(response, client: self, operation: "POST \(path)") {
            try await output(chunk)
        }
    }

    func killExecProcessGroup(containerID: String, pid: Int) async throws {
        let kill = ExecCreateBody(
            attachStdin: false, cmd: ["sh", "-c", "kill -KILL -- -\(pid) 2>/dev/null || kill -KILL \(pid)"], user: "0")
        let created: IDResponse = try await json(.POST, "/containers/\(Self.pathComponent(containerID))/exec", body: kill)
        let path = "/exec/\(Self.pathComponent(created.id))/start"
        _ = try await data(
            .POST, path, headers: ["Content-Type": "application/json"],
            body: .bytes(ByteBuffer(data: try DockerJSON.encode(ExecStartBody()))), timeout: .seconds(10)
        )
    }

    /// The exit code, once the daemon has recorded it (shortly after the output ends).
    func execExitCode(_ execID: String) async throws -> Int {
        for _ in 0..<100 {
            let inspect: ExecInspect = try await json(.GET, "/exec/\(Self.pathComponent(execID))/json")
            if !inspect.running, let code = inspect.exitCode { return code }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw DockerError(.timeout, "exec \(execID): output ended but the daemon reported no exit code within 2 s")
    }
}
