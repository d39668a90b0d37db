package import Foundation
package import Hummingbird
import HummingbirdCore
import HummingbirdTLS
package import IsolationCore
package import Logging
import NIOCore
import ServiceLifecycle

/// `ptest-iso serve`: the routes on one manager, run as a Hummingbird application in a
/// `ServiceGroup` that shuts down gracefully on SIGTERM and SIGINT (requests under way finish).
package struct PtestIsoServer: Sendable {
    package struct Configuration: Sendable {
        package var address: BindAddress
        package var tokens: [OwnerToken]
        package var maxBodyBytes: Int = 8 << 20
        /// Lets owners name paths on the server's machine and run privileged containers
        /// (``HostAccessPolicy``): for one trusted user on the same machine.
        package var allowHostAccess = false
        /// HTTPS instead of HTTP (`--tls-cert`, `--tls-key`).
        package var tls: ServerTLS?
        /// `--persist`: a stop leaves the environments for the next server instead of destroying them.
        package var persist = false

        package init(address: BindAddress, tokens: [OwnerToken]) {
            self.address = address
            self.tokens = tokens
        }
    }

    let manager: IsolationManager
    let configuration: Configuration

    package init(manager: IsolationManager, configuration: Configuration) {
        self.manager = manager
        self.configuration = configuration
    }

    package func router() -> Router<ServerContext> {
        let router = Router(context: ServerContext.self)
        let metrics = ServerMetrics()
        // First, so refusals by the later middleware are counted too.
        router.add(middleware: MetricsMiddleware(metrics: metrics))
        let authenticator = Authenticator(tokens: configuration.tokens)
        router.add(middleware: MethodMiddleware())
        router.add(middleware: AuthMiddleware(authenticator: authenticator, limiter: RateLimiter()))
        HealthRoutes(manager: manager).add(to: router)
        router.get("/metrics") { [manager] _, _ in
            await Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.scrape(manager))))
        }
        let calls = CallRoutes(
            manager: manager, authenticator: authenticator, maxBodyBytes: configuration.maxBodyBytes, metrics: metrics,
            hostAccess: HostAccessPolicy(allowHostAccess: configuration.allowHostAccess))
        calls.add(to: router)
        EnvInstanceRoutes(calls: calls).add(to: router)
        return router
    }

    /// Serves until SIGTERM or SIGINT, then returns once requests under way have finished and the
    /// manager's lifetime has ended (``ManagerService``): also when serving fails, as when the
    /// address is taken.
    ///
    /// - Parameter onListening: called with the bound address (`127.0.0.1:PORT` or the socket's
    ///   path), so a caller that asked for port 0 learns the port.
    package func run(logger: Logger, onListening: @escaping @Sendable (String) -> Void) async throws {
        let server: HTTPServerBuilder = try configuration.tls.map { try .tls(.http1(), tlsConfiguration: $0.configuration) } ?? .http1()
        let application = Application(
            router: router(),
            server: server,
            configuration: .init(address: configuration.address, serverName: "ptest-iso"),
            onServerRunning: { channel in
                let address = channel.localAddress
                onListening(address?.pathname ?? "\(address?.ipAddress ?? "?"):\(address?.port ?? 0)")
            },
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: ManagerService(manager: manager, keepEnvironments: configuration.persist)),
                    // The HTTP server ending, by failure or not, shuts the manager down gracefully, not by
                    // cancellation, so its removals are not cut short.
                    .init(
                        service: application, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
