/// What to create a network with.
public struct NetworkSpec: Sendable, Hashable {
    public var name: String
    public var driver: String
    /// No route to the outside: containers reach only each other.
    public var isInternal: Bool
    public var attachable: Bool
    public var labels: [String: String]
    public var subnet: String?
    public var gateway: String?
    public var ipRange: String?
    public var options: [String: String]

    public init(
        name: String, driver: String = "bridge", isInternal: Bool = false, attachable: Bool = false,
        labels: [String: String] = [:], subnet: String? = nil, gateway: String? = nil, ipRange: String? = nil,
        options: [String: String] = [:]
    ) {
        self.name = name
        self.driver = driver
        self.isInternal = isInternal
        self.attachable = attachable
        self.labels = labels
        self.subnet = subnet
        self.gateway = gateway
        self.ipRange = ipRange
        self.options = options
    }
}

struct NetworkCreateBody: Encodable {
    struct IPAM: Encodable {
        struct Config: Encodable {
            var subnet: String?
            var gateway: String?
            var ipRange: String?
        }
        var driver = "default"
        var config: [Config]
    }

    var name: String
    var driver: String
    var `internal`: Bool
    var attachable: Bool
    var labels: [String: String]
    var options: [String: String]
    var iPAM: IPAM?
    var checkDuplicate = true

    init(_ spec: NetworkSpec) {
        name = spec.name
        driver = spec.driver
        `internal` = spec.isInternal
        attachable = spec.attachable
        labels = spec.labels
        options = spec.options
        if spec.subnet != nil || spec.gateway != nil || spec.ipRange != nil {
            iPAM = IPAM(config: [.init(subnet: spec.subnet, gateway: spec.gateway, ipRange: spec.ipRange)])
        }
    }
}

/// `GET /networks/{id}` and the rows of `GET /networks`.
public struct NetworkInspect: Decodable, Sendable {
    public var id: String
    public var name: String
    public var driver: String
    public var scope: String?
    public var `internal`: Bool?
    public var attachable: Bool?
    public var labels: [String: String]?
    public var ipam: IPAM?
    public var containers: [String: Endpoint]?
    public var options: [String: String]?

    public struct IPAM: Decodable, Sendable {
        public var driver: String?
        public var config: [Config]?

        public struct Config: Decodable, Sendable {
            public var subnet: String?
            public var gateway: String?
            public var ipRange: String?
        }
    }

    public struct Endpoint: Decodable, Sendable {
        public var name: String?
        public var iPv4Address: String?
        public var macAddress: String?
    }
}

/// How to attach a container to a network.
public struct NetworkConnectOptions: Sendable {
    public var aliases: [String]
    public var ipv4Address: String?

    public init(aliases: [String] = [], ipv4Address: String? = nil) {
        self.aliases = aliases
        self.ipv4Address = ipv4Address
    }
}

struct NetworkConnectBody: Encodable {
    struct EndpointConfig: Encodable {
        struct IPAMConfig: Encodable { var iPv4Address: String? }
        var aliases: [String]?
        var iPAMConfig: IPAMConfig?
    }
    var container: String
    var endpointConfig: EndpointConfig
}

struct NetworkDisconnectBody: Encodable {
    var container: String
    var force: Bool
}

struct NetworkCreateResponse: Decodable {
    var id: String
    var warning: String?
}
