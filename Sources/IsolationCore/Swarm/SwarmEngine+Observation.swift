/// Logs and stats of an environment's task come from its node's daemon.
extension SwarmEngine: ObservableEngine {
    public func logs(_ environment: Environment, tail: Int?) async throws -> [LogChunk] {
        try await onNode(environment) { try await $0.logs(environment, tail: tail) }
    }

    public func followLogs(_ environment: Environment, tail: Int?, _ body: @Sendable (LogChunk) async throws -> Void) async throws {
        try await onNode(environment) { try await $0.followLogs(environment, tail: tail, body) }
    }

    public func stats(_ environment: Environment) async throws -> EnvironmentStats {
        try await onNode(environment) { try await $0.stats(environment) }
    }
}
