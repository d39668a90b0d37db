import AsyncHTTPClient
public import Foundation
public import Logging
import NIOCore
import NIOSSL

/// A client for one Docker daemon, speaking the Engine API version that
/// both sides support (negotiated once, on connect).
///
/// Create it with ``connect(_:)`` and call ``shutdown()`` when done, or let
/// ``withDockerClient(_:_:)`` do both.
public final class DockerClient: Sendable {
    public struct Configuration: Sendable {
        /// The daemon to talk to.
        public var endpoint: DockerEndpoint
        /// Bounds a whole non-streaming request: connecting, the reply head and its body.
        public var requestTimeout: Duration
        /// Bounds opening a connection, so a dead daemon is reported quickly.
        public var connectTimeout: Duration
        /// Use this API version instead of negotiating one.
        public var pinnedAPIVersion: APIVersion?
        /// The versions this client may pick from.
        public var supportedVersions: ClosedRange<APIVersion>
        /// Connections kept open to the daemon at once; a request beyond them waits for one to
        /// become free. A streaming request (a log follow, a wait, an event stream, an exec's
        /// output) holds its connection until it ends, so this must stay well above the number
        /// of streams one client holds at a time, or they starve the short requests behind them.
        public var maxConnections: Int
        public var userAgent: String

        public init(
            endpoint: DockerEndpoint = .unixSocket(),
            requestTimeout: Duration = .seconds(120),
            connectTimeout: Duration = .seconds(5),
            pinnedAPIVersion: APIVersion? = nil,
            supportedVersions: ClosedRange<APIVersion> = APIVersion.minimumSupported...APIVersion.maximumSupported,
            maxConnections: Int = Configuration.defaultMaxConnections,
            userAgent: String = "ptest-isolation"
        ) {
            self.endpoint = endpoint
            self.requestTimeout = requestTimeout
            self.connectTimeout = connectTimeout
            self.pinnedAPIVersion = pinnedAPIVersion
            self.supportedVersions = supportedVersions
            self.maxConnections = maxConnections
            self.userAgent = userAgent
        }

        /// AsyncHTTPClient's default (8 per host) suits a browser, not a client whose callers
        /// hold streams for minutes: eight log follows would block every other request. The
        /// Docker daemon sets no limit per client (nor does the `docker` CLI's Go client), and a
        /// connection costs a file descriptor only while it is open (idle ones close after 30 s),
        /// so the bound is the process's descriptors: 256 leaves most of a common 1024 soft
        /// limit to the rest of a test process.
        public static let defaultMaxConnections = 256

        /// The daemon `docker` would use: `DOCKER_HOST`, TLS variables, the current context.
        public static func fromEnvironment(
            _ environment: [String: String] = ProcessInfo.processInfo.environment
        ) throws -> Configuration {
            Configuration(endpoint: try DockerEndpoint.fromEnvironment(environment))
        }
    }

    public let configuration: Configuration
    /// The negotiated (or pinned) Engine API version every request uses.
    public let apiVersion: APIVersion
    let http: HTTPClient
    /// `http+unix://<socket>`, `http://host:port` or `https://host:port`.
    let baseURL: String
    let logger: Logger

    private init(configuration: Configuration, apiVersion: APIVersion, http: HTTPClient, baseURL: String, logger: Logger) {
        self.configuration = configuration
        self.apiVersion = apiVersion
        self.http = http
        self.baseURL = baseURL
        self.logger = logger
    }

    /// Opens a client and negotiates the API version with the daemon.
    ///
    /// - Throws: ``DockerError`` — `daemonUnreachable` naming the address when nothing
    ///   answers, `tlsFailure` when the handshake fails, `apiVersionUnsupported` when the
    ///   daemon is too old or too new.
    public static func connect(
        _ configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "ptest-isolation.docker", factory: { _ in SwiftLogNoOpLogHandler() })
    ) async throws -> DockerClient {
        let http = try makeHTTPClient(configuration)
        let baseURL = baseURL(for: configuration.endpoint)
        // A provisional client speaks unversioned paths until the version is known.
        let probe = DockerClient(
            configuration: configuration,
            apiVersion: configuration.pinnedAPIVersion ?? configuration.supportedVersions.lowerBound,
            http: http,
            baseURL: baseURL,
            logger: logger
        )
        do {
            let version: APIVersion
            if let pinned = configuration.pinnedAPIVersion {
                version = pinned
            } else {
                version = try await probe.negotiateVersion()
            }
            logger.debug("connected", metadata: ["endpoint": "\(configuration.endpoint)", "api": "\(version)"])
            return DockerClient(configuration: configuration, apiVersion: version, http: http, baseURL: baseURL, logger: logger)
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    /// Closes the connection pool. The client must not be used afterwards.
    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// Starts closing the connection pool and returns at once, for an owner's `deinit`, which
    /// cannot wait. AsyncHTTPClient traps (in debug builds) when a client it still runs is
    /// released; this is its non-async shutdown, which keeps the client alive until the pool is
    /// closed. The client must not be used afterwards; a second shutdown is ignored.
    public func startShutdown() {
        http.shutdown(queue: .global()) { _ in }
    }

    private func negotiateVersion() async throws -> APIVersion {
        let ping = try await self.ping()
        let supported = configuration.supportedVersions
        if let server = ping.apiVersion, server <= supported.upperBound {
            return try APIVersion.negotiate(server: server, serverMinimum: nil, supported: supported)
        }
        // The daemon is newer than us (or did not say): only /version tells its minimum.
        let version = try await self.version(versioned: false)
        guard let server = APIVersion(version.apiVersion) else {
            throw DockerError(.protocolError, "the daemon reported an unreadable API version '\(version.apiVersion)'")
        }
        return try APIVersion.negotiate(
            server: server,
            serverMinimum: version.minAPIVersion.flatMap(APIVersion.init),
            supported: supported
        )
    }

    private static func makeHTTPClient(_ configuration: Configuration) throws -> HTTPClient {
        var http = HTTPClient.Configuration()
        http.httpVersion = .http1Only
        http.timeout = .init(connect: .init(configuration.connectTimeout), read: nil)
        http.decompression = .disabled
        http.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.maxConnections)
        // A refused or failed connection is reported at once, not retried until the deadline.
        http.connectionPool.retryConnectionEstablishment = false
        if let tls = configuration.endpoint.tls {
            http.tlsConfiguration = try makeTLSConfiguration(tls)
        }
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
    }

    static func makeTLSConfiguration(_ tls: DockerEndpoint.TLS) throws -> TLSConfiguration {
        var config = TLSConfiguration.makeClientConfiguration()
        do {
            if let ca = tls.caCertificatePath {
                config.trustRoots = .file(ca)
            }
            if let cert = tls.clientCertificatePath {
                config.certificateChain = try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) }
            }
            if let key = tls.clientKeyPath {
                config.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            }
        } catch {
            throw DockerError(
                .invalidConfiguration,
                "cannot load TLS material (ca: \(tls.caCertificatePath ?? "-"), cert: \(tls.clientCertificatePath ?? "-"), key: \(tls.clientKeyPath ?? "-")): \(error)"
            )
        }
        config.certificateVerification = tls.verifyServer ? .fullVerification : .none
        return config
    }

    private static func baseURL(for endpoint: DockerEndpoint) -> String {
        switch endpoint.address {
        case .unixSocket(let path):
            let encoded = path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? path
            return "http+unix://\(encoded)"
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "\(endpoint.tls == nil ? "http" : "https")://\(shownHost):\(port)"
        }
    }
}

/// Runs `body` with a connected client and always shuts the client down.
public func withDockerClient<Result>(
    _ configuration: DockerClient.Configuration = DockerClient.Configuration(),
    _ body: (DockerClient) async throws -> Result
) async throws -> Result {
    let client = try await DockerClient.connect(configuration)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}
