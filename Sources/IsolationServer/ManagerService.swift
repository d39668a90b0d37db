import Foundation
import IsolationCore
import ServiceLifecycle

/// The server's manager as a service of its `ServiceGroup`, after the HTTP server in the group's
/// order: the group stops services in reverse, so on SIGTERM the HTTP server finishes the requests
/// under way first, with the manager still open, and only then is the manager's lifetime ended —
/// the session's environments destroyed (not with `--persist`), the pools drained, the
/// background work finished, the Docker clients closed.
struct ManagerService: Service {
    let manager: IsolationManager
    /// `--persist`: the environments outlive the server, for the next one to serve.
    let keepEnvironments: Bool

    func run() async throws {
        // Cancellation (the group failing) ends the wait too: the manager is finished either way.
        try? await gracefulShutdown()
        if !keepEnvironments {
            _ = try? await manager.destroySession()
            // The compose files owners sent (/env-instance), whose instances are gone now.
            try? FileManager.default.removeItem(at: manager.configuration.home.appendingPathComponent("serve-compose"))
        }
        await manager.shutdown()
    }
}
