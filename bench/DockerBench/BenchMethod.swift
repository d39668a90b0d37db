/// What an exec round trip brought back, checked after every iteration.
struct ExecOutcome: Sendable {
    var stdout: String
    var exitCode: Int
    /// How many `GET /exec/{id}/json` it took to see the exit code, when the method knows.
    var inspects: Int?
}

/// One way of talking to the daemon.
protocol BenchMethod: Sendable {
    var method: Method { get }
    /// Create + start + force-remove one container.
    func lifecycle(_ target: BenchTarget) async throws
    /// Run `echo hi` in `containerID`, collecting stdout and the exit code.
    func execEcho(in containerID: String) async throws -> ExecOutcome
}
