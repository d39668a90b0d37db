public import Foundation

/// An engine whose environments each live on one Docker daemon of several (a pool's host, a
/// swarm's node): what runs in an environment is that daemon's ``DockerEngine``'s work, so the
/// engine only says which one. The pool and the swarm share these operations through it.
protocol DockerDelegatingEngine: ObservableEngine {
    /// Runs `body` with the Docker engine of the daemon the environment is on.
    func onDocker<T>(_ environment: Environment, _ body: (DockerEngine) async throws -> T) async throws -> T
}

extension DockerDelegatingEngine {
    public func run(_ environment: Environment, _ command: Command, output: CommandOutputSink) async throws -> CommandExit {
        try await onDocker(environment) { try await $0.run(environment, command, output: output) }
    }

    public func copyIn(_ environment: Environment, from source: URL, to destination: String) async throws {
        try await onDocker(environment) { try await $0.copyIn(environment, from: source, to: destination) }
    }

    public func copyOut(_ environment: Environment, from source: String, to destination: URL) async throws {
        try await onDocker(environment) { try await $0.copyOut(environment, from: source, to: destination) }
    }

    public func logs(_ environment: Environment, tail: Int?) async throws -> [LogChunk] {
        try await onDocker(environment) { try await $0.logs(environment, tail: tail) }
    }

    public func followLogs(_ environment: Environment, tail: Int?, _ body: @Sendable (LogChunk) async throws -> Void) async throws {
        try await onDocker(environment) { try await $0.followLogs(environment, tail: tail, body) }
    }

    public func stats(_ environment: Environment) async throws -> EnvironmentStats {
        try await onDocker(environment) { try await $0.stats(environment) }
    }
}
