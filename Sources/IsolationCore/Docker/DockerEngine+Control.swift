import DockerAPI

extension DockerEngine: ControllableEngine {
    public func stop(_ environment: Environment) async throws {
        try await withClient { try await $0.stopContainer(environment.location, timeoutSeconds: 2) }
    }

    public func start(_ environment: Environment) async throws {
        try await withClient { try await $0.startContainer(environment.location) }
    }

    public func restart(_ environment: Environment) async throws {
        try await withClient { try await $0.restartContainer(environment.location, timeoutSeconds: 2) }
    }

    public func pause(_ environment: Environment) async throws {
        try await withClient { try await $0.pauseContainer(environment.location) }
    }

    public func unpause(_ environment: Environment) async throws {
        try await withClient { try await $0.unpauseContainer(environment.location) }
    }
}
