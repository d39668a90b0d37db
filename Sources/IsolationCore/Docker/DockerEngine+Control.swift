import DockerAPI

extension DockerEngine: ControllableEngine {
    public func stop(_ environment: Environment) async throws {
        try await withClient { try await $0.stopContainer(environment.location, timeoutSeconds: 2) }
    }

    public func start(_ environment: Environment) async throws {
        // Its shared network may have gone with its last running user: recreated on the way.
        try await withClient { try await self.startContainer(environment.location, of: environment, client: $0) }
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
