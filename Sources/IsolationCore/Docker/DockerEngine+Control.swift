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
            for id in try await self.containers(of: environment, client: client) {
                try await client.pauseContainer(id)
                try await Self.awaitPaused(true, id, client: client)
            }
        }
    }

    public func unpause(_ environment: Environment) async throws {
        try await withClient { client in
            for id in try await self.containers(of: environment, client: client) {
                try await client.unpauseContainer(id)
                try await Self.awaitPaused(false, id, client: client)
            }
        }
    }

    /// How long a pause or unpause may take to show in the container's state.
    static let pauseSettleTimeout = Duration.seconds(10)

    /// Waits until the daemon reports the container `paused` (or not). Docker 20.10 answers the
    /// request once containerd froze or thawed the container, but records it in the container's
    /// state only when containerd's event arrives: an inspect right after the answer may still
    /// say the opposite (seen in CI on a loaded machine).
    static func awaitPaused(_ paused: Bool, _ id: String, client: DockerClient) async throws {
        let deadline = ContinuousClock.now + pauseSettleTimeout
        var pause = Duration.milliseconds(2)
        while try await client.inspectContainer(id).state.paused != paused {
            guard ContinuousClock.now < deadline else {
                throw IsolationError(
                    .timeout,
                    "container \(id.prefix(12)): still \(paused ? "running" : "paused") \(pauseSettleTimeout) after the daemon "
                        + "accepted the \(paused ? "pause" : "unpause"); check the daemon (`docker events`)")
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(100))
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
