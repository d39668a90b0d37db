/// What to create a container from: the fields a test environment needs,
/// with secure defaults (no new privileges, not privileged).
public struct ContainerSpec: Sendable, Hashable {
    public var image: String
    public var name: String?
    public var command: [String]?
    public var entrypoint: [String]?
    public var environment: [String: String] = [:]
    public var workingDirectory: String?
    public var user: String?
    public var hostname: String?
    public var labels: [String: String] = [:]
    public var ports: [PortPublication] = []
    public var mounts: [Mount] = []
    public var resources = Resources()
    public var security = Security()
    /// `none`, `bridge`, `host`, or a network name; `nil` is the daemon's default bridge.
    public var networkMode: String?
    /// Aliases on the network named by ``networkMode``, so peers can reach this container by name.
    public var networkAliases: [String] = []
    public var healthcheck: Healthcheck?
    public var restartPolicy: RestartPolicy?
    /// Keep stdin open so an exec or attach can write to it.
    public var openStdin = false
    public var tty = false
    public var stopSignal: String?
    public var stopTimeoutSeconds: Int?
    /// Run an init process as PID 1 that reaps zombies and forwards signals.
    public var runInit: Bool?
    public var extraHosts: [String] = []
    /// Kernel parameters of the container's own namespaces (`net.*` of its network namespace).
    public var sysctls: [String: String] = [:]
    /// `os/arch[/variant]` for multi-platform images.
    public var platform: String?

    public init(image: String) {
        self.image = image
    }

    /// A container port published on the host; a `nil` host port asks for a random free one.
    public struct PortPublication: Sendable, Hashable {
        public var containerPort: Int
        public var protocolName: String
        public var hostIP: String
        public var hostPort: Int?

        public init(containerPort: Int, protocolName: String = "tcp", hostIP: String = "127.0.0.1", hostPort: Int? = nil) {
            self.containerPort = containerPort
            self.protocolName = protocolName
            self.hostIP = hostIP
            self.hostPort = hostPort
        }
    }

    public struct Mount: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable {
            case bind, volume, tmpfs
        }

        public var kind: Kind
        /// Host path (bind) or volume name (volume); unused for tmpfs.
        public var source: String?
        public var target: String
        public var readOnly: Bool
        public var tmpfsSizeBytes: Int64?
        public var tmpfsMode: Int?

        public static func bind(_ hostPath: String, at target: String, readOnly: Bool = false) -> Mount {
            Mount(kind: .bind, source: hostPath, target: target, readOnly: readOnly)
        }

        public static func volume(_ name: String, at target: String, readOnly: Bool = false) -> Mount {
            Mount(kind: .volume, source: name, target: target, readOnly: readOnly)
        }

        /// A volume the daemon creates and names; removing the container with its volumes removes it.
        public static func anonymousVolume(at target: String, readOnly: Bool = false) -> Mount {
            Mount(kind: .volume, source: nil, target: target, readOnly: readOnly)
        }

        public static func tmpfs(at target: String, sizeBytes: Int64? = nil, mode: Int? = nil) -> Mount {
            Mount(kind: .tmpfs, source: nil, target: target, readOnly: false, tmpfsSizeBytes: sizeBytes, tmpfsMode: mode)
        }
    }

    public struct Resources: Sendable, Hashable {
        public var memoryBytes: Int64?
        /// Memory plus swap; equal to ``memoryBytes`` forbids swap.
        public var memorySwapBytes: Int64?
        /// CPUs in units of 10⁻⁹ (1.5 CPUs = 1_500_000_000).
        public var nanoCPUs: Int64?
        public var cpuShares: Int?
        public var pidsLimit: Int?
        public var gpus: GPURequest?
        /// The size of `/dev/shm`; the daemon's default (64 MiB) when nil.
        public var shmSizeBytes: Int64?

        public init(
            memoryBytes: Int64? = nil, memorySwapBytes: Int64? = nil, nanoCPUs: Int64? = nil, cpuShares: Int? = nil, pidsLimit: Int? = nil,
            gpus: GPURequest? = nil, shmSizeBytes: Int64? = nil
        ) {
            self.memoryBytes = memoryBytes
            self.memorySwapBytes = memorySwapBytes
            self.nanoCPUs = nanoCPUs
            self.cpuShares = cpuShares
            self.pidsLimit = pidsLimit
            self.gpus = gpus
            self.shmSizeBytes = shmSizeBytes
        }
    }

    /// GPUs through a device request, as `docker run --gpus`.
    public struct GPURequest: Sendable, Hashable {
        /// `-1` for all GPUs.
        public var count: Int
        public var deviceIDs: [String]
        public var driver: String
        public var capabilities: [String]

        public init(count: Int = -1, deviceIDs: [String] = [], driver: String = "", capabilities: [String] = ["gpu"]) {
            self.count = count
            self.deviceIDs = deviceIDs
            self.driver = driver
            self.capabilities = capabilities
        }
    }

    public struct Security: Sendable, Hashable {
        /// Forbid gaining privileges through setuid binaries (on by default).
        public var noNewPrivileges = true
        public var privileged = false
        public var readOnlyRootFilesystem = false
        public var capAdd: [String] = []
        public var capDrop: [String] = []

        public init() {}
    }

    public struct Healthcheck: Sendable, Hashable {
        /// `["CMD", ...]`, `["CMD-SHELL", "..."]` or `["NONE"]`.
        public var test: [String]
        public var interval: Duration?
        public var timeout: Duration?
        public var startPeriod: Duration?
        public var retries: Int?

        public init(test: [String], interval: Duration? = nil, timeout: Duration? = nil, startPeriod: Duration? = nil, retries: Int? = nil)
        {
            self.test = test
            self.interval = interval
            self.timeout = timeout
            self.startPeriod = startPeriod
            self.retries = retries
        }
    }

    public struct RestartPolicy: Sendable, Hashable {
        /// `no`, `always`, `unless-stopped` or `on-failure`.
        public var name: String
        public var maximumRetryCount: Int

        public init(name: String, maximumRetryCount: Int = 0) {
            self.name = name
            self.maximumRetryCount = maximumRetryCount
        }
    }
}
