import DockerAPI
import Synchronization

/// The Docker engine's one client: one connection pool to its daemon, reused by every
/// operation (concurrent ones too) from the first use until ``shutdown()``.
///
/// The endpoint (`DOCKER_HOST`, TLS variables, the current Docker context: files on disk) is
/// read at the first use and the API version negotiated then, once; later clients reuse both.
/// A failure is never kept: a first use that cannot read the configuration or reach the daemon
/// throws, and the next use tries again.
///
/// Once connected, a daemon that goes away fails the requests made meanwhile; the connections
/// it drops leave AsyncHTTPClient's pool as they close, so requests after its return open new
/// ones rather than inheriting dead ones. A TLS daemon may come back with new certificates
/// (`docker` reads them at each command); see ``TLSFiles``.
final class SharedDockerClient: Sendable {
    private struct State {
        var configuration: DockerClient.Configuration?
        var client: DockerClient?
        /// The TLS files `client` loaded, as they were then.
        var tlsFiles: TLSFiles?
        /// Clients replaced after their TLS files changed: requests still running on them (a log
        /// follow, say) finish there, and ``shutdown()`` closes them.
        var retired: [DockerClient] = []
    }

    private let environment: [String: String]
    private let state = Mutex(State())

    init(environment: [String: String]) {
        self.environment = environment
    }

    /// The connected client, connecting it first when there is none (or its TLS files changed).
    ///
    /// - Throws: ``DockerError`` — `invalidConfiguration` when the endpoint cannot be read,
    ///   `daemonUnreachable`, `tlsFailure` or `apiVersionUnsupported` when connecting fails.
    func client() async throws -> DockerClient {
        let (existing, known, loaded) = state.withLock { ($0.client, $0.configuration, $0.tlsFiles) }
        let current = known?.endpoint.tls.map(TLSFiles.init)
        if let existing, current == loaded { return existing }
        let configuration = try known ?? DockerClient.Configuration.fromEnvironment(environment)
        let files = current ?? configuration.endpoint.tls.map(TLSFiles.init)
        // Concurrent first uses each connect, in their own task (so each stays cancellable
        // with its caller), and the first to finish is kept: a cold start pays a few pings
        // more, but no use waits on a connect that another caller's cancellation would end.
        let fresh = try await DockerClient.connect(configuration)
        let kept = state.withLock { state -> DockerClient in
            if let winner = state.client, winner !== existing { return winner }
            if let existing { state.retired.append(existing) }
            state.client = fresh
            state.tlsFiles = files
            // The negotiated version is pinned, so a later client does not ask again.
            state.configuration = configuration
            state.configuration?.pinnedAPIVersion = fresh.apiVersion
            return fresh
        }
        if kept !== fresh { try? await fresh.shutdown() }
        return kept
    }

    /// Closes the connection pool. Requests still in flight on it fail; a later use connects anew.
    func shutdown() async {
        let clients = state.withLock { state -> [DockerClient] in
            defer { (state.client, state.retired) = (nil, []) }
            return state.retired + (state.client.map { [$0] } ?? [])
        }
        for client in clients { try? await client.shutdown() }
    }

    deinit {
        // An owner that never called shutdown() (a CLI command, a test) lets go of the client
        // here. AsyncHTTPClient traps when a running client is released; its non-async shutdown
        // keeps the pool alive until closed. A process that exits first runs no deinit at all.
        for client in state.withLock({ $0.retired + ($0.client.map { [$0] } ?? []) }) { client.startShutdown() }
    }
}
