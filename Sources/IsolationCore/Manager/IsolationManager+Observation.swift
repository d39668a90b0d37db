extension IsolationManager {
    /// The engine of an environment that has logs and stats, with the environment.
    ///
    /// - Throws: `notFound`; `engineUnavailable` when its engine keeps no logs (a venv);
    ///   `illegalTransition` when it has no resources left to read.
    private func observable(_ id: String) async throws -> (Environment, any ObservableEngine) {
        let environment = try await addressed(id)
        guard let engine = try engine(for: environment) as? any ObservableEngine else {
            throw IsolationError(
                .engineUnavailable,
                "environment \(id) runs on the \(environment.engine) engine, which has no logs or stats; only Docker environments do")
        }
        guard environment.status.isLive, environment.status != .destroying, !environment.location.isEmpty else {
            throw IsolationError(.illegalTransition, "environment \(id) is \(environment.status.rawValue); it has no logs or stats")
        }
        return (environment, engine)
    }

    /// The log of an environment's main process so far (the last `tail` lines when set).
    ///
    /// - Throws: see `observable`; `daemonUnavailable`.
    public func logs(_ id: String, tail: Int? = nil) async throws -> [LogChunk] {
        try SchemaLimits.checkInteger(tail, "tail", 0...10_000_000)
        let (environment, engine) = try await observable(id)
        return try await engine.logs(environment, tail: tail)
    }

    /// Hands each piece of the log to `body` as it is written. Returns when the
    /// environment's main process ends (e.g. it was removed), or throws
    /// `cancelled` when the calling task is cancelled.
    public func followLogs(_ id: String, tail: Int? = nil, _ body: @escaping @Sendable (LogChunk) async throws -> Void) async throws {
        try SchemaLimits.checkInteger(tail, "tail", 0...10_000_000)
        let (environment, engine) = try await observable(id)
        try await bounded(nil, "following the logs of \(id)") { try await engine.followLogs(environment, tail: tail, body) }
    }

    /// One sample of the environment's resource usage.
    public func stats(_ id: String) async throws -> EnvironmentStats {
        let (environment, engine) = try await observable(id)
        return try await engine.stats(environment)
    }
}
