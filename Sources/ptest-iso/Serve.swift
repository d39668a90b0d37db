import ArgumentParser
import Foundation
import Hummingbird
import IsolationCore
import IsolationServer
import Logging

/// `ptest-iso serve`: the core as a long-running HTTP service (docs/server.md).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the core over HTTP to the owners of a tokens file.",
        discussion: """
            Stops gracefully on SIGTERM or SIGINT: requests under way finish, then the server's
            environments are destroyed (kept with --persist).
            """
    )

    /// The session of a `--persist` server: stable, so a restarted server finds its environments.
    static let persistentSession = "ptest-iso-serve"

    @Option(help: "The address to listen on (loopback by default).")
    var host = "127.0.0.1"

    @Option(help: "The TCP port; 0 picks a free one (the listening line on stdout names it).")
    var port = 8080

    @Option(help: "Listen on this unix socket instead of TCP.")
    var socket: String?

    @Option(help: "The tokens file: a JSON array of {token, owner, max_live, max_cpus, max_memory, requests_per_second, expires_at}.")
    var tokens: String

    @Option(help: "The largest request body read, in bytes.")
    var maxBodyBytes = 8 << 20

    @Flag(help: "Keep the server's environments when it stops, and serve them again after a restart.")
    var persist = false

    @Option(help: "The most environments live at once, of every owner and pool together.")
    var maxLiveEnvironments = 256

    @Option(help: "Serve HTTPS with this certificate chain (PEM); needs --tls-key.")
    var tlsCert: String?

    @Option(help: "The private key (PEM) of --tls-cert.")
    var tlsKey: String?

    @Flag(
        help: """
            Let owners name paths on this machine (bind mounts, build contexts, compose files, copy_in/copy_out) \
            and run privileged containers: for one trusted user on the same machine.
            """)
    var allowHostAccess = false

    @OptionGroup var state: StateOptions

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port: \(port) must be 0 to 65535") }
        guard (1024...(1 << 30)).contains(maxBodyBytes) else {
            throw ValidationError("--max-body-bytes: \(maxBodyBytes) must be 1024 to 2^30")
        }
        if let socket, socket.isEmpty { throw ValidationError("--socket: empty; give a path") }
        guard (1...100_000).contains(maxLiveEnvironments) else {
            throw ValidationError("--max-live-environments: \(maxLiveEnvironments) must be 1 to 100000")
        }
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError(tlsCert == nil ? "--tls-cert: give it with --tls-key" : "--tls-key: give it with --tls-cert")
        }
    }

    func run() async throws {
        let owners = try TokensFile.load(URL(fileURLWithPath: tokens))
        var tls: ServerTLS?
        if let tlsCert, let tlsKey {
            tls = try ServerTLS(certificate: URL(fileURLWithPath: tlsCert), key: URL(fileURLWithPath: tlsKey))
        }
        var configuration = IsolationManager.Configuration(
            session: persist ? Self.persistentSession : "serve-\(UUID().uuidString.lowercased())")
        if let home = state.home { configuration.home = URL(fileURLWithPath: home) }
        if let engines = state.engines { configuration.engineSettingsFile = URL(fileURLWithPath: engines) }
        configuration.maxLiveEnvironments = maxLiveEnvironments
        // A copy restored ahead would be made before its owner asks, outside the owner's quota.
        configuration.restoreAheadDepth = 0
        if persist {
            // Kept past this process on purpose: no reaper, the next server picks them up.
            configuration.reaperExecutable = nil
        } else if ProcessInfo.processInfo.environment["PTEST_ISO_REAPER"] == nil {
            // Killed by SIGKILL, the server's environments go with it: this binary reaps the session.
            configuration.reaperExecutable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        }
        let manager = try await IsolationManager.open(configuration: configuration)
        var logger = Logger(label: "ptest-iso.serve")
        logger.logLevel = .info
        let address: BindAddress = socket.map { .unixDomainSocket(path: $0) } ?? .hostname(host, port: port)
        var serverConfiguration = PtestIsoServer.Configuration(address: address, tokens: owners)
        serverConfiguration.allowHostAccess = allowHostAccess
        serverConfiguration.tls = tls
        serverConfiguration.persist = persist
        let server = PtestIsoServer(manager: manager, configuration: serverConfiguration)
        // Returns once the manager's lifetime has ended too (its environments removed unless persisted).
        try await server.run(logger: logger) { address in
            // One line a supervisor or test can wait for, written unbuffered.
            let session = manager.configuration.session
            FileHandle.standardOutput.write(Data("{\"listening\":\"\(address)\",\"session\":\"\(session)\"}\n".utf8))
        }
    }
}
