extension IsolationManager {
    /// Runs a command and hands `body` its output as it comes: ``CommandEvent/stdout(_:)`` and
    /// ``CommandEvent/stderr(_:)`` chunks, each stream in order, then one ``CommandEvent/exit(_:)``
    /// with the exit code, duration and whether ``Command/timeoutSeconds`` killed it.
    ///
    /// The command lives only as long as this call: when `body` returns or throws before the
    /// sequence has ended, or the calling task is cancelled, the command is killed with every
    /// process it started (in a Docker image without `sh`, abandoned) before this returns.
    /// Validation, stdin, variables and working directory are those of ``run(_:_:timeout:)``.
    ///
    /// ```swift
    /// try await manager.runStreaming(id, Command(["pytest", "-x"])) { events in
    ///     for try await event in events {
    ///         if case .stdout(let data) = event { print(String(decoding: data, as: UTF8.self), terminator: "") }
    ///     }
    /// }
    /// ```
    ///
    /// - Parameter timeout: a deadline for the whole call; past it the command is killed and the
    ///   sequence throws `timeout` (unlike ``Command/timeoutSeconds``, which is a result).
    /// - Returns: what `body` returns.
    /// - Throws: `invalidSpec` for a malformed command, `notFound`, `illegalTransition` when the
    ///   environment cannot take commands; `cancelled`; what `body` throws. A non-zero exit code
    ///   is an event, not an error.
    public func runStreaming<Value>(
        _ id: String, _ command: Command, timeout: Duration? = nil, _ body: (CommandEvents) async throws -> Value
    ) async throws -> Value {
        try command.validate()
        let (environment, engine) = try await usable(id)
        let what = "running \(command.argv.first ?? "") in \(id)"
        // A few chunks of slack: enough to keep the pipes moving, little enough to bound memory.
        let channel = BoundedChannel<CommandEvent>(capacity: 16)
        let sink = CommandOutputSink { try await channel.send($0) }
        do {
            return try await withThrowingTaskGroup(of: Void.self, returning: Value.self) { group in
                group.addTask {
                    do {
                        let exit = try await self.bounded(timeout, what) { try await engine.run(environment, command, output: sink) }
                        try await channel.send(.exit(exit))
                        channel.finish()
                    } catch {
                        channel.finish(throwing: error)
                    }
                }
                // However `body` ends, the command goes with it: the engine kills it when cancelled,
                // and the group waits for that before returning.
                defer {
                    channel.close()
                    group.cancelAll()
                }
                return try await body(CommandEvents(channel: channel))
            }
        } catch is CancellationError {
            throw IsolationError(.cancelled, "\(what) was cancelled")
        }
    }
}
