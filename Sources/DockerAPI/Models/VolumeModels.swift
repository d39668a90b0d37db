/// What to create a volume with.
public struct VolumeSpec: Sendable, Hashable {
    /// Empty lets the daemon pick a random name.
    public var name: String
    public var driver: String
    public var driverOptions: [String: String]
    public var labels: [String: String]

    public init(name: String = "", driver: String = "local", driverOptions: [String: String] = [:], labels: [String: String] = [:]) {
        self.name = name
        self.driver = driver
        self.driverOptions = driverOptions
        self.labels = labels
    }
}

struct VolumeCreateBody: Encodable {
    var name: String
    var driver: String
    var driverOpts: [String: String]
    var labels: [String: String]
}

/// `GET /volumes/{name}`.
public struct VolumeInspect: Decodable, Sendable {
    public var name: String
    public var driver: String
    public var mountpoint: String?
    public var createdAt: String?
    public var labels: [String: String]?
    public var options: [String: String]?
    public var scope: String?
}

struct VolumeListResponse: Decodable {
    var volumes: [VolumeInspect]?
    var warnings: [String]?
}
