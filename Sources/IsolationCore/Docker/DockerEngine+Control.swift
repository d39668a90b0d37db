import DockerAPI

extension DockerEngine: ControllableEngine {
    public func stop(_ environment: Environment) async throws {
        try await withClient { client in
            // A stack stops dependents first, as `docker compose stop` does.
            for id in try await self.containers(of: environment, client: client).reversed() {
                try await client.stopContainer(id, timeoutSeconds: 2)
            }
        }
    }

    public func start(_ environment: Environment) async throws {
        // Its shared network may have gone with its last running user: recreated on the way.
        try await withClient { client in
            for id in try await self.containers(of: environment, client: client) {
                try await self.startContainer(id, of: environment, client: client)
            }
        }
    }

    public func restart(_ environment: Environment) async throws {
        guard environment.spec.compose != nil else {
            try await withClient { try await $0.restartContainer(environment.location, timeoutSeconds: 2) }
            return
        }
        try await stop(environment)
        try await start(environment)
    }

    public func pause(_ environment: Environment) async throws {
        try await withClient { client in
            for id in try await self.containers(of: environment, client: client) { try await client.pauseContainer(id) }
        }
    }

    public func unpause(_ environment: Environment) async throws {
        try await withClient { client in
            for id in try await self.containers(of: environment, client: client) { try await client.unpauseContainer(id) }
        }
    }

    /// The environment's container, or a stack's containers in start order.
    func containers(of environment: Environment, client: DockerClient) async throws -> [String] {
        guard environment.spec.compose != nil else { return [environment.location] }
        let order = (environment.details["compose.services"] ?? "").split(separator: ",").map(String.init)
        let found = try await client.listContainers(all: true, filters: Self.ownedBy(environment))
        return found.sorted { first, second in
            let a = order.firstIndex(of: first.labels?[ResourceLabels.composeService] ?? "") ?? order.count
            let b = order.firstIndex(of: second.labels?[ResourceLabels.composeService] ?? "") ?? order.count
            return a != b ? a < b : (first.names.first ?? "") < (second.names.first ?? "")
        }.map(\.id)
    }
}
