/// An engine whose environments have a log and resource counters of their
/// own (a container has both; a venv is only a directory, so it has neither).
///
/// A separate protocol rather than requirements of ``IsolationEngine``:
/// engines without logs need no methods that only throw.
public protocol ObservableEngine: IsolationEngine {
    /// The log written so far; only the last `tail` lines when set.
    func logs(_ environment: Environment, tail: Int?) async throws -> [LogChunk]

    /// Hands each piece of the log to `body` as it is written, until the
    /// environment's process ends or the calling task is cancelled.
    func followLogs(
        _ environment: Environment, tail: Int?, _ body: @Sendable (LogChunk) async throws -> Void
    ) async throws

    func stats(_ environment: Environment) async throws -> EnvironmentStats
}
