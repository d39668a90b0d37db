import Foundation

/// Where a Docker daemon listens, and how to trust it.
public struct DockerEndpoint: Sendable, Hashable, CustomStringConvertible {
    public enum Address: Sendable, Hashable {
        case unixSocket(path: String)
        case tcp(host: String, port: Int)
    }

    /// Client-side TLS material: the CA that signed the daemon's
    /// certificate, and the client certificate and key the daemon checks.
    public struct TLS: Sendable, Hashable {
        public var caCertificatePath: String?
        public var clientCertificatePath: String?
        public var clientKeyPath: String?
        /// Verify the daemon's certificate against the CA (DOCKER_TLS_VERIFY).
        public var verifyServer: Bool

        public init(
            caCertificatePath: String? = nil,
            clientCertificatePath: String? = nil,
            clientKeyPath: String? = nil,
            verifyServer: Bool = true
        ) {
            self.caCertificatePath = caCertificatePath
            self.clientCertificatePath = clientCertificatePath
            self.clientKeyPath = clientKeyPath
            self.verifyServer = verifyServer
        }

        /// The layout `docker` uses: `ca.pem`, `cert.pem`, `key.pem` in one directory.
        public init(certificateDirectory: String, verifyServer: Bool = true) {
            let dir = URL(fileURLWithPath: certificateDirectory)
            self.init(
                caCertificatePath: dir.appendingPathComponent("ca.pem").path,
                clientCertificatePath: dir.appendingPathComponent("cert.pem").path,
                clientKeyPath: dir.appendingPathComponent("key.pem").path,
                verifyServer: verifyServer
            )
        }
    }

    public static let defaultSocketPath = "/var/run/docker.sock"

    public var address: Address
    public var tls: TLS?

    public init(address: Address, tls: TLS? = nil) {
        self.address = address
        self.tls = tls
    }

    public static func unixSocket(_ path: String = defaultSocketPath) -> DockerEndpoint {
        DockerEndpoint(address: .unixSocket(path: path))
    }

    public var description: String {
        switch address {
        case .unixSocket(let path): return "unix://\(path)"
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "\(tls == nil ? "tcp" : "tcp+tls")://\(shownHost):\(port)"
        }
    }

    /// Parses a `DOCKER_HOST` value: `unix:///path`, `tcp://host:port`,
    /// `host:port` (tcp), or an absolute socket path.
    ///
    /// - Throws: ``DockerError/Code/invalidConfiguration`` naming the value and the expected forms.
    public static func parse(host: String, tls: TLS? = nil) throws -> DockerEndpoint {
        let value = host.trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("unix://") {
            let path = String(value.dropFirst("unix://".count))
            guard path.hasPrefix("/") else {
                throw invalidHost(value, "the socket path must be absolute, e.g. unix:///var/run/docker.sock")
            }
            return DockerEndpoint(address: .unixSocket(path: path), tls: tls)
        }
        if value.hasPrefix("/") {
            return DockerEndpoint(address: .unixSocket(path: value), tls: tls)
        }
        var rest = value
        for scheme in ["tcp://", "http://", "https://"] where rest.hasPrefix(scheme) {
            rest = String(rest.dropFirst(scheme.count))
        }
        if rest.contains("://") {
            throw invalidHost(value, "only unix:// and tcp:// are supported (ssh:// and npipe:// are not)")
        }
        if let slash = rest.firstIndex(of: "/") {
            rest = String(rest[..<slash])
        }
        let hostPart: String
        let portPart: String?
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
            hostPart = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            portPart = after.hasPrefix(":") ? String(after.dropFirst()) : nil
        } else if let colon = rest.lastIndex(of: ":") {
            hostPart = String(rest[..<colon])
            portPart = String(rest[rest.index(after: colon)...])
        } else {
            hostPart = rest
            portPart = nil
        }
        guard !hostPart.isEmpty else {
            throw invalidHost(value, "a host is required, e.g. tcp://127.0.0.1:2376")
        }
        let port: Int
        if let portPart {
            guard let parsed = Int(portPart), (1...65535).contains(parsed) else {
                throw invalidHost(value, "the port must be a number from 1 to 65535")
            }
            port = parsed
        } else {
            port = tls == nil ? 2375 : 2376
        }
        return DockerEndpoint(address: .tcp(host: hostPart, port: port), tls: tls)
    }

    private static func invalidHost(_ value: String, _ fix: String) -> DockerError {
        DockerError(.invalidConfiguration, "DOCKER_HOST '\(value)' is not a valid daemon address: \(fix)")
    }
}
