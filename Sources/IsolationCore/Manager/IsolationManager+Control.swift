extension IsolationManager {
    /// Stops an environment: its processes end (a container is stopped) and commands are
    /// refused until ``start(_:)``. Its files, packages and container stay.
    public func stop(_ id: String) async throws {
        try await control(id, to: .stopped, event: .stopped) { try await $0.stop($1) }
    }

    /// Starts a stopped environment again (a container restarts its command), so it takes commands.
    public func start(_ id: String) async throws {
        try await control(id, to: .running, event: .started) { try await $0.start($1) }
    }

    /// Freezes a container's processes; commands are refused until ``unpause(_:)``.
    ///
    /// - Throws: `engineUnavailable` for an engine without processes of its own (a venv).
    public func pause(_ id: String) async throws {
        try await control(id, to: .paused, event: .stopped, required: "pause") { try await $0.pause($1) }
    }

    public func unpause(_ id: String) async throws {
        try await control(id, to: .running, event: .started, required: "unpause") { try await $0.unpause($1) }
    }

    /// Restarts a container's processes; the environment keeps its status.
    public func restart(_ id: String) async throws {
        let environment = try await get(id)
        guard environment.status == .ready || environment.status == .running else {
            throw IsolationError(
                .illegalTransition, "environment \(id) is \(environment.status.rawValue); only a ready or running one restarts")
        }
        guard let engine = try engine(for: environment) as? any ControllableEngine else {
            throw IsolationError(.engineUnavailable, "the \(environment.engine) engine runs no processes to restart")
        }
        try await engine.restart(environment)
        broadcaster.emit(.started, environment: id, detail: "restarted")
    }

    /// Checks the move, asks the engine (when it has processes to control), then records the move.
    private func control(
        _ id: String, to status: EnvironmentStatus, event: IsolationEvent.Kind, required operation: String? = nil,
        _ work: (any ControllableEngine, Environment) async throws -> Void
    ) async throws {
        let environment = try await get(id)
        try environment.status.checkMove(to: status, environment: id)
        if let engine = try engine(for: environment) as? any ControllableEngine {
            try await work(engine, environment)
        } else if let operation {
            throw IsolationError(.engineUnavailable, "the \(environment.engine) engine runs no processes to \(operation)")
        }
        try await move(id, to: status)
        broadcaster.emit(event, environment: id, detail: operation)
    }
}
