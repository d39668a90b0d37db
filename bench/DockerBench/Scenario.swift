/// What one iteration does.
enum Scenario: String, CaseIterable, Sendable, Codable {
    /// Create a container (`sleep 3600`), start it, force-remove it.
    case lifecycle
    /// `echo hi` in an already-running container: output and exit code.
    case exec
}

/// The three ways of doing the same work against the same daemon.
enum Method: String, CaseIterable, Sendable, Codable {
    /// One connected `DockerClient`, reused, in this process.
    case dockerAPI = "DockerAPI"
    /// The `docker` CLI, one process per step.
    case cli = "docker CLI"
    /// One `curl --unix-socket` process per HTTP request.
    case floor = "curl floor"
}

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

/// What every method creates, so the daemon does the same work for each.
struct BenchTarget: Sendable {
    static let benchLabel = "ptest-iso.bench"
    static let runLabel = "ptest-iso.bench.run"

    var image: String
    var command = ["sleep", "3600"]
    /// `ptest-iso.bench=1` plus this run's id, which the final cleanup filters on.
    var labels: [String: String]
    /// DockerAPI's `ContainerSpec` sets this by default; the CLI and the floor ask for it too.
    var securityOpt = ["no-new-privileges:true"]

    init(image: String, runID: String) {
        self.image = image
        self.labels = [Self.benchLabel: "1", Self.runLabel: runID]
    }

    var runFilter: String { "\(Self.runLabel)=\(labels[Self.runLabel] ?? "")" }
}

struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
