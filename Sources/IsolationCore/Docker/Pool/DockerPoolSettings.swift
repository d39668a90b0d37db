public import Foundation

/// The `docker` section of the engine settings: a pool of plain Docker hosts, each new
/// environment placed on one of them (``DockerHostPool``).
///
/// ```yaml
/// docker:
///   hosts:
///     - {name: local, endpoint: "unix:///var/run/docker.sock", labels: {disk: ssd}}
///     - {name: ci-2, endpoint: "tcp://10.0.0.12:2376", tls_cert_path: /etc/ptest-iso/ci-2}
///     - {name: laptop, context: colima}
/// ```
public struct DockerPoolSettings: EngineSection, Equatable {
    public static let kind = EngineKind.docker

    public struct Host: Decodable, Sendable, Equatable {
        public var name = ""
        /// `unix:///path` or `tcp://host:port`; or give `context` instead.
        public var endpoint: String?
        /// A docker context's name, read as `docker` reads it (`~/.docker/contexts`).
        public var context: String?
        /// `ca.pem`, `cert.pem` and `key.pem` for a `tcp://` endpoint (TLS verified).
        public var tlsCertPath: String?
        /// Matched by a spec's `placement` (`host.labels.disk==ssd`).
        public var labels: [String: String] = [:]

        public init(
            name: String, endpoint: String? = nil, context: String? = nil, tlsCertPath: String? = nil, labels: [String: String] = [:]
        ) {
            self.name = name
            self.endpoint = endpoint
            self.context = context
            self.tlsCertPath = tlsCertPath
            self.labels = labels
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case name, endpoint, context, tlsCertPath, labels
        }

        public init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownFields(CodingKeys.self)
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            endpoint = try c.decodeIfPresent(String.self, forKey: .endpoint)
            context = try c.decodeIfPresent(String.self, forKey: .context)
            tlsCertPath = try c.decodeIfPresent(String.self, forKey: .tlsCertPath)
            try c.decode(.labels, into: &labels)
        }

        /// The variables a Docker client of this host reads.
        var clientEnvironment: [String: String] {
            if let context {
                // Read as `docker` reads it: from DOCKER_CONFIG, else ~/.docker.
                let process = ProcessInfo.processInfo.environment
                return ["DOCKER_CONTEXT": context].merging(process.filter { ["HOME", "DOCKER_CONFIG"].contains($0.key) }) { $1 }
            }
            var variables = ["DOCKER_HOST": endpoint ?? ""]
            if let tlsCertPath {
                variables["DOCKER_TLS_VERIFY"] = "1"
                variables["DOCKER_CERT_PATH"] = tlsCertPath
            }
            return variables
        }

        /// Where it is, for a person: the endpoint or the context.
        var address: String { endpoint ?? "context \(context ?? "")" }
    }

    public var hosts: [Host] = []

    public init(hosts: [Host]) { self.hosts = hosts }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case hosts
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hosts = try c.decode([Host].self, forKey: .hosts)
    }

    public func validate(path: String) throws {
        guard (1...64).contains(hosts.count) else {
            throw IsolationError(.invalidSpec, field: "\(path).hosts", "give 1 to 64 hosts, not \(hosts.count)")
        }
        var names: Set<String> = []
        for (index, host) in hosts.enumerated() {
            let field = "\(path).hosts[\(index)]"
            guard !host.name.isEmpty, host.name.utf8.count <= 64, host.name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) })
            else {
                throw IsolationError(
                    .invalidSpec, field: "\(field).name", "'\(SchemaJSON.excerpt(host.name))': 1 to 64 letters, digits, '-', '_' or '.'")
            }
            guard names.insert(host.name).inserted else {
                throw IsolationError(.invalidSpec, field: "\(field).name", "'\(host.name)' names two hosts; names are unique")
            }
            switch (host.endpoint, host.context) {
            case (let endpoint?, nil): try SwarmSettings.checkEndpoint(endpoint, "\(field).endpoint")
            case (nil, let context?): try SchemaLimits.checkText(context, "\(field).context", max: 256)
            default:
                throw IsolationError(.invalidSpec, field: "\(field).endpoint", "give either endpoint or context")
            }
            try SchemaLimits.checkText(host.tlsCertPath, "\(field).tls_cert_path", max: SchemaLimits.maxPathLength)
            try SchemaLimits.checkMap(host.labels, "\(field).labels", maxCount: 64, maxKey: 128, maxValue: 256)
        }
    }

    public func makeEngine(home: URL) -> any IsolationEngine {
        DockerHostPool(settings: self, home: home)
    }
}
