/// An engine whose environments run processes of their own that can be
/// stopped, started, restarted and frozen (a container; a venv runs nothing
/// between commands, so stopping it only changes its status).
public protocol ControllableEngine: IsolationEngine {
    func stop(_ environment: Environment) async throws
    func start(_ environment: Environment) async throws
    func restart(_ environment: Environment) async throws
    /// Freezes every process (cgroup freezer) without stopping them.
    func pause(_ environment: Environment) async throws
    func unpause(_ environment: Environment) async throws
}
