/// What one iteration does.
enum Scenario: String, CaseIterable, Sendable, Codable {
    /// Create a container (`sleep 3600`), start it, force-remove it.
    case lifecycle
    /// `echo hi` in an already-running container: output and exit code.
    case exec
}

/// The ways of doing the same work against the same daemon: the three the
/// issue compares, and an opt-in in-process reference.
enum Method: String, CaseIterable, Sendable, Codable {
    /// One connected `DockerClient`, reused, in this process.
    case dockerAPI = "DockerAPI"
    /// The `docker` CLI, one process per step.
    case cli = "docker CLI"
    /// One `curl --unix-socket` process per HTTP request.
    case floor = "curl floor"
    /// `--reference`: hand-written HTTP over one kept-alive socket, in this process.
    case reference = "raw keep-alive"
}
