import Foundation

extension IsolationManager {
    /// Runs a command with a terminal — stdin forwarded, the window resizable, the exit code
    /// returned — and hands `body` the session, as `docker exec -it` does: a TTY exec on the
    /// Docker engine, a process on a pseudo-terminal with the venv activated on the virtualenv
    /// engine.
    ///
    /// The command lives only as long as this call: when `body` returns or throws before the
    /// command has ended, or the calling task is cancelled, it is killed with its process group
    /// before this returns. Variables and working directory are those of ``run(_:_:timeout:)``;
    /// ``Command/stdin`` and ``Command/timeoutSeconds`` do not apply (input is what `body`
    /// writes; `body` decides how long to wait).
    ///
    /// ```swift
    /// let code = try await manager.interactive(id, Command(["sh"])) { session in
    ///     try await session.write(Data("echo $((6*7)); exit 3\n".utf8))
    ///     for try await chunk in session.output { FileHandle.standardOutput.write(chunk) }
    ///     return try await session.exitCode()
    /// }
    /// ```
    ///
    /// - Returns: what `body` returns.
    /// - Throws: `invalidSpec` for a malformed command, `notFound`, `illegalTransition` when the
    ///   environment cannot take commands, `engineUnavailable` for an engine without terminals;
    ///   `cancelled`; what `body` throws. A non-zero exit code is a result.
    public func interactive<Value>(
        _ id: String, _ command: Command, size: TerminalSize = .standard, _ body: (InteractiveSession) async throws -> Value
    ) async throws -> Value {
        try command.validate()
        let (environment, engine) = try await usable(id)
        guard let engine = engine as? any InteractiveEngine else {
            throw IsolationError(.engineUnavailable, "the \(engine.kind) engine cannot run a command with a terminal")
        }
        return try await interactive(environment, command, size: size, engine: engine, body)
    }

    /// ``interactive(_:_:size:_:)`` with the environment's shell: for a venv `$SHELL` (else
    /// `bash`, else `sh`) with the venv activated, for a container `bash` where the image has it,
    /// else `sh`.
    ///
    /// - Throws: as ``interactive(_:_:size:_:)``.
    public func shell<Value>(
        _ id: String, environment variables: [String: String] = [:], size: TerminalSize = .standard,
        _ body: (InteractiveSession) async throws -> Value
    ) async throws -> Value {
        let (environment, engine) = try await usable(id)
        guard let engine = engine as? any InteractiveEngine else {
            throw IsolationError(.engineUnavailable, "the \(engine.kind) engine has no shell")
        }
        let command = Command(engine.shellCommand(environment), environment: variables)
        try command.validate()
        return try await interactive(environment, command, size: size, engine: engine, body)
    }

    private func interactive<Value>(
        _ environment: Environment, _ command: Command, size: TerminalSize, engine: any InteractiveEngine,
        _ body: (InteractiveSession) async throws -> Value
    ) async throws -> Value {
        let what = "the terminal session \(command.argv.first ?? "") in \(environment.id)"
        // A few chunks of slack, as for a streamed run: the command waits while its reader is behind.
        let channel = BoundedChannel<Data>(capacity: 16)
        let session = InteractiveSession(output: InteractiveOutput(channel: channel), terminal: OneShot(), exit: OneShot())
        do {
            return try await withThrowingTaskGroup(of: Void.self, returning: Value.self) { group in
                group.addTask {
                    do {
                        let code = try await engine.interactive(
                            environment, command, size: size.clamped,
                            attached: { session.terminal.resolve(.success($0)) },
                            output: { try await channel.send($0) })
                        session.exit.resolve(.success(code))
                        channel.finish()
                    } catch {
                        // Every waiter learns why: input before the command ran, the exit code, the output.
                        session.terminal.resolve(.failure(error))
                        session.exit.resolve(.failure(error))
                        channel.finish(throwing: error)
                    }
                }
                // However `body` ends, the command goes with it: the engine kills it when cancelled,
                // and the group waits for that before returning.
                defer {
                    channel.close()
                    group.cancelAll()
                }
                return try await body(session)
            }
        } catch is CancellationError {
            throw IsolationError(.cancelled, "\(what) was cancelled")
        }
    }
}
