public import Foundation

/// The `swarm` section of the engine settings: where the swarm's manager answers, and how the
/// engine reaches each node's own daemon (exec, files, logs and stats go to the task's node).
///
/// ```yaml
/// swarm:
///   manager: tcp://10.215.0.11:2376
///   tls_cert_path: /etc/ptest-iso/swarm   # ca.pem, cert.pem, key.pem
///   node_endpoints: {node2: "tcp://10.215.0.12:2376"}   # else each node's ptest-iso.endpoint label
/// ```
public struct SwarmSettings: EngineSection, Equatable {
    public static let kind = EngineKind.swarm
    /// A node label naming the node's own API endpoint (`unix:///…` or `tcp://…`).
    public static let endpointLabel = "ptest-iso.endpoint"

    /// The manager's API: `unix:///path` or `tcp://host:port`.
    public var manager = ""
    /// A directory with `ca.pem`, `cert.pem` and `key.pem` for every `tcp://` endpoint (TLS verified); none is plain.
    public var tlsCertPath: String?
    /// Node id, node name (`ptest-iso.node` label) or hostname → its endpoint; a node not listed is
    /// reached by its `ptest-iso.endpoint` label.
    public var nodeEndpoints: [String: String] = [:]
    /// How long a new environment's task may take to be running (scheduling, image, start).
    public var startTimeoutSeconds: Double = 60
    /// How nodes get an image: `load` (saved from the manager's daemon, loaded onto each node
    /// that lacks it) or `push` (pushed to ``registry``; tasks pull it by digest).
    public var images: ImageDistribution = .load
    /// `HOST:PORT` of a registry every node can pull from; needed by `images: push`.
    public var registry: String?

    public enum ImageDistribution: String, Sendable, Equatable {
        case load, push
    }

    public init(manager: String, tlsCertPath: String? = nil, nodeEndpoints: [String: String] = [:]) {
        self.manager = manager
        self.tlsCertPath = tlsCertPath
        self.nodeEndpoints = nodeEndpoints
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case manager, tlsCertPath, nodeEndpoints, startTimeoutSeconds, images, registry
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        manager = try c.decode(String.self, forKey: .manager)
        tlsCertPath = try c.decodeIfPresent(String.self, forKey: .tlsCertPath)
        try c.decode(.nodeEndpoints, into: &nodeEndpoints)
        try c.decode(.startTimeoutSeconds, into: &startTimeoutSeconds)
        if let written = try c.decodeIfPresent(String.self, forKey: .images) {
            guard let distribution = ImageDistribution(rawValue: written) else {
                throw IsolationError(
                    .invalidSpec, field: "swarm.images", "'\(SchemaJSON.excerpt(written))': give load or push")
            }
            images = distribution
        }
        registry = try c.decodeIfPresent(String.self, forKey: .registry)
    }

    public func validate(path: String) throws {
        try Self.checkEndpoint(manager, "\(path).manager")
        try SchemaLimits.checkText(tlsCertPath, "\(path).tls_cert_path", max: SchemaLimits.maxPathLength)
        try SchemaLimits.checkMap(
            nodeEndpoints, "\(path).node_endpoints", maxCount: 1000, maxKey: 256, maxValue: SchemaLimits.maxPathLength)
        for (node, endpoint) in nodeEndpoints.sorted(by: { $0.key < $1.key }) {
            try Self.checkEndpoint(endpoint, "\(path).node_endpoints.\(node)")
        }
        try SchemaLimits.checkSeconds(startTimeoutSeconds, "\(path).start_timeout_seconds", max: 3600)
        try SchemaLimits.checkText(registry, "\(path).registry", max: 256)
        if images == .push, registry?.isEmpty ?? true {
            throw IsolationError(
                .invalidSpec, field: "\(path).registry", "images: push needs a registry every node can pull from (HOST:PORT)")
        }
        if let registry, registry.contains("/") || registry.contains(where: \.isWhitespace) {
            throw IsolationError(
                .invalidSpec, field: "\(path).registry", "'\(SchemaJSON.excerpt(registry))': give HOST:PORT, no scheme or path")
        }
    }

    static func checkEndpoint(_ endpoint: String, _ field: String) throws {
        try SchemaLimits.checkText(endpoint, field, max: SchemaLimits.maxPathLength)
        guard endpoint.hasPrefix("unix:///") || (endpoint.hasPrefix("tcp://") && endpoint.count > 6) else {
            throw IsolationError(
                .invalidSpec, field: field,
                "'\(SchemaJSON.excerpt(endpoint))' is no endpoint; give unix:///path/docker.sock or tcp://host:port")
        }
    }

    /// The variables a Docker client of `endpoint` reads (as `docker` itself does).
    func clientEnvironment(_ endpoint: String) -> [String: String] {
        var variables = ["DOCKER_HOST": endpoint]
        if endpoint.hasPrefix("tcp://"), let tlsCertPath {
            variables["DOCKER_TLS_VERIFY"] = "1"
            variables["DOCKER_CERT_PATH"] = tlsCertPath
        }
        return variables
    }

    public func makeEngine(home: URL) -> any IsolationEngine {
        SwarmEngine(settings: self, home: home)
    }
}
