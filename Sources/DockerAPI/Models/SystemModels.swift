/// What `/_ping` tells without a versioned request.
public struct PingResponse: Sendable, Hashable {
    /// The daemon's highest API version (`API-Version` header).
    public var apiVersion: APIVersion?
    public var osType: String?
    public var builderVersion: String?
}

/// `/version`: the daemon's build and API range.
public struct VersionResponse: Decodable, Sendable {
    public var version: String
    public var apiVersion: String
    public var minAPIVersion: String?
    public var os: String?
    public var arch: String?
    public var kernelVersion: String?
    public var gitCommit: String?

    enum CodingKeys: String, CodingKey {
        case version, apiVersion, minAPIVersion = "minAPIVersion", os, arch, kernelVersion, gitCommit
    }
}

/// `/info`: a subset of the daemon's system-wide information.
public struct SystemInfo: Decodable, Sendable {
    public var id: String?
    public var name: String?
    public var serverVersion: String?
    public var containers: Int?
    public var containersRunning: Int?
    public var images: Int?
    public var driver: String?
    public var cgroupDriver: String?
    public var cgroupVersion: String?
    public var memTotal: Int64?
    public var nCPU: Int?
    public var operatingSystem: String?
    public var kernelVersion: String?
    public var architecture: String?
    public var memoryLimit: Bool?
    public var cpuCfsQuota: Bool?
    public var pidsLimit: Bool?
    public var swarm: Swarm?
    public var runtimes: [String: Runtime]?

    public struct Swarm: Decodable, Sendable {
        public var localNodeState: String?
        public var nodeID: String?
    }

    public struct Runtime: Decodable, Sendable {
        public var path: String?
    }

    enum CodingKeys: String, CodingKey {
        case id, name, serverVersion, containers, containersRunning, images, driver, cgroupDriver,
            cgroupVersion, memTotal, nCPU = "ncpu", operatingSystem, kernelVersion, architecture, memoryLimit,
            cpuCfsQuota, pidsLimit, swarm, runtimes
    }
}
