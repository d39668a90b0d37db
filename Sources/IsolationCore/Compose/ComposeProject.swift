import Foundation

/// A compose project as loaded from one or more compose files: every value
/// interpolated, short syntaxes expanded to long ones, relative paths made
/// absolute against the project directory, and everything checked. What the
/// Docker engine brings up (`DockerEngine+Compose`) reads only this.
///
/// The parts of the Compose Specification real projects use; anything else in
/// a file is an error naming the key, the file and the line (``ComposeLoader``).
///
/// Codable (with Swift's key names, as the state database keeps them) because a snapshot of a
/// stack records the project it restores: the files may have changed or be absent by then.
public struct ComposeProject: Codable, Sendable, Hashable {
    /// The project name (`name:` in the file, else given, else the directory's name),
    /// normalised as Compose does: lowercase letters, digits, `-` and `_`.
    public var name: String
    /// The directory relative paths are resolved against (the first file's).
    public var workingDirectory: String
    /// The files it was loaded from, absolute, in the order given.
    public var configFiles: [String]
    /// In the files' order.
    public var services: [ComposeService]
    /// Declared networks by name; `default` is implied when a service names none.
    public var networks: [String: ComposeNetwork]
    /// Declared named volumes by name.
    public var volumes: [String: ComposeVolume]
    /// What the loader noticed but Compose does not refuse, with `file:line` (a variable
    /// used but not set, read as an empty string).
    public var warnings: [String] = []

    public init(
        name: String, workingDirectory: String, configFiles: [String] = [], services: [ComposeService] = [],
        networks: [String: ComposeNetwork] = [:], volumes: [String: ComposeVolume] = [:]
    ) {
        self.name = name
        self.workingDirectory = workingDirectory
        self.configFiles = configFiles
        self.services = services
        self.networks = networks
        self.volumes = volumes
    }

    public func service(_ name: String) -> ComposeService? {
        services.first { $0.name == name }
    }
}

/// One service of a project.
public struct ComposeService: Codable, Sendable, Hashable {
    public var name: String
    /// Exactly one of ``image`` and ``build`` unless both are given (then the build is tagged ``image``).
    public var image: String?
    public var build: ComposeBuild?
    /// `nil`: the image's. Shell form is split as Compose does (`sh -c` is not added).
    public var command: [String]?
    public var entrypoint: [String]?
    /// `environment` and `env_file`, merged (`environment` wins); a variable listed without a value
    /// takes the loader's environment's value, or is left out when that has none.
    public var environment: [String: String]
    public var ports: [ComposePort]
    public var volumes: [ComposeServiceVolume]
    /// Networks the service joins, with its aliases there; empty means the project's `default`.
    public var networks: [String: ComposeServiceNetwork]
    public var dependsOn: [String: ComposeDependency]
    /// `nil`: the image's HEALTHCHECK; ``ComposeHealthcheck/disable`` turns it off.
    public var healthcheck: ComposeHealthcheck?
    public var labels: [String: String]
    public var workingDir: String?
    public var user: String?
    public var hostname: String?
    /// Extra hosts as `name:ip`.
    public var extraHosts: [String]
    public var tmpfs: [String]
    public var capAdd: [String]
    public var capDrop: [String]
    public var privileged: Bool
    public var readOnly: Bool
    /// `init:`: run an init process as PID 1; `nil` is the daemon's default.
    public var runInit: Bool?
    public var stopSignal: String?
    public var stopGracePeriodSeconds: Double?
    /// `no` (the default), `always`, `on-failure[:N]`, `unless-stopped`.
    public var restart: String?
    /// Bytes; `nil` unlimited.
    public var memoryBytes: Int64?
    /// CPUs, fractional.
    public var cpus: Double?
    public var shmSizeBytes: Int64?
    /// Containers of this service (`scale` / `deploy.replicas`); 1 by default.
    public var replicas: Int
    /// Profiles the service belongs to; a service with profiles starts only when one is active.
    public var profiles: [String]
    /// Where the service is declared (`file:line`), for errors found after loading.
    public var source: String?

    public init(name: String) {
        self.name = name
        self.environment = [:]
        self.ports = []
        self.volumes = []
        self.networks = [:]
        self.dependsOn = [:]
        self.labels = [:]
        self.extraHosts = []
        self.tmpfs = []
        self.capAdd = []
        self.capDrop = []
        self.privileged = false
        self.readOnly = false
        self.replicas = 1
        self.profiles = []
    }
}

public struct ComposeBuild: Codable, Sendable, Hashable {
    /// Absolute.
    public var context: String
    /// Relative to the context, as Compose takes it; `nil` is `Dockerfile`.
    public var dockerfile: String?
    public var args: [String: String]
    public var target: String?

    public init(context: String, dockerfile: String? = nil, args: [String: String] = [:], target: String? = nil) {
        self.context = context
        self.dockerfile = dockerfile
        self.args = args
        self.target = target
    }
}

/// A port, long syntax: `target` inside, `published` on the host (`nil`: an ephemeral one).
public struct ComposePort: Codable, Sendable, Hashable {
    public var target: Int
    public var published: Int?
    /// `nil`: all interfaces, as Compose does.
    public var hostIP: String?
    /// `tcp` or `udp`.
    public var protocolName: String

    public init(target: Int, published: Int? = nil, hostIP: String? = nil, protocolName: String = "tcp") {
        self.target = target
        self.published = published
        self.hostIP = hostIP
        self.protocolName = protocolName
    }
}

/// A service's mount, long syntax.
public struct ComposeServiceVolume: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        case volume, bind, tmpfs
    }

    public var type: Kind
    /// A volume name (declared at the top level, or anonymous when `nil`), or an absolute host path for `bind`.
    public var source: String?
    public var target: String
    public var readOnly: Bool
    /// `tmpfs` only.
    public var tmpfsSizeBytes: Int64?

    public init(type: Kind, source: String? = nil, target: String, readOnly: Bool = false, tmpfsSizeBytes: Int64? = nil) {
        self.type = type
        self.source = source
        self.target = target
        self.readOnly = readOnly
        self.tmpfsSizeBytes = tmpfsSizeBytes
    }
}

public struct ComposeServiceNetwork: Codable, Sendable, Hashable {
    public var aliases: [String]

    public init(aliases: [String] = []) {
        self.aliases = aliases
    }
}

/// `depends_on`'s condition.
public enum ComposeDependency: String, Codable, Sendable, Hashable, CaseIterable {
    case serviceStarted = "service_started"
    case serviceHealthy = "service_healthy"
    case serviceCompletedSuccessfully = "service_completed_successfully"
}

public struct ComposeHealthcheck: Codable, Sendable, Hashable {
    /// `CMD …` / `CMD-SHELL …` as Docker takes it; empty with ``disable``.
    public var test: [String]
    public var intervalSeconds: Double?
    public var timeoutSeconds: Double?
    public var startPeriodSeconds: Double?
    public var retries: Int?
    public var disable: Bool

    public init(
        test: [String], intervalSeconds: Double? = nil, timeoutSeconds: Double? = nil, startPeriodSeconds: Double? = nil,
        retries: Int? = nil, disable: Bool = false
    ) {
        self.test = test
        self.intervalSeconds = intervalSeconds
        self.timeoutSeconds = timeoutSeconds
        self.startPeriodSeconds = startPeriodSeconds
        self.retries = retries
        self.disable = disable
    }
}

public struct ComposeNetwork: Codable, Sendable, Hashable {
    /// `external: true`: it must exist and is never created or removed.
    public var external: Bool
    /// The Docker name, when it differs from `<project>_<key>`.
    public var name: String?
    public var `internal`: Bool
    public var labels: [String: String]

    public init(external: Bool = false, name: String? = nil, internal: Bool = false, labels: [String: String] = [:]) {
        self.external = external
        self.name = name
        self.internal = `internal`
        self.labels = labels
    }
}

public struct ComposeVolume: Codable, Sendable, Hashable {
    public var external: Bool
    public var name: String?
    public var labels: [String: String]

    public init(external: Bool = false, name: String? = nil, labels: [String: String] = [:]) {
        self.external = external
        self.name = name
        self.labels = labels
    }
}
