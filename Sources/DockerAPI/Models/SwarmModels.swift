import Foundation

/// A swarm node as `GET /nodes` describes it.
public struct SwarmNode: Decodable, Sendable, Hashable {
    public struct Spec: Codable, Sendable, Hashable {
        public var name: String?
        public var labels: [String: String]?
        /// `worker` or `manager`.
        public var role: String?
        /// `active`, `pause` or `drain`.
        public var availability: String?
    }
    public struct Description: Decodable, Sendable, Hashable {
        public var hostname: String?
    }
    public struct Status: Decodable, Sendable, Hashable {
        /// `ready`, `down`, `disconnected` or `unknown`.
        public var state: String?
        public var message: String?
        public var addr: String?
    }
    public struct Version: Decodable, Sendable, Hashable {
        public var index: UInt64
    }

    public var id: String
    public var version: Version
    public var spec: Spec
    public var description: Description?
    public var status: Status?
}

/// What a swarm service is created from: one task template, run as one replica (an environment)
/// or as a job.
public struct SwarmServiceSpec: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        /// This many replicas, kept running.
        case replicated(Int)
        /// Runs to completion once (`ReplicatedJob`, API 1.41).
        case job
    }

    public var name: String
    public var labels: [String: String] = [:]
    public var image: String
    /// The image's entrypoint replaced (the API's `Command`).
    public var entrypoint: [String]?
    /// Arguments to the entrypoint (the API's `Args`, a container's `Cmd`).
    public var args: [String]?
    public var user: String?
    public var readOnlyRoot = false
    public var environment: [String] = []
    public var workingDirectory: String?
    public var containerLabels: [String: String] = [:]
    public var runInit = true
    public var hostname: String?
    public var secrets: [SecretReference] = []
    public var nanoCPUs: Int64?
    public var memoryBytes: Int64?
    public var pids: Int64?
    public var reservedNanoCPUs: Int64?
    public var reservedMemoryBytes: Int64?
    public var constraints: [String] = []
    public var networks: [NetworkAttachment] = []
    public var mode: Mode = .replicated(1)

    /// A swarm secret given to the task's container as a file under `/run/secrets`.
    public struct SecretReference: Sendable, Hashable {
        public var secretID: String
        public var secretName: String
        public var fileName: String
        public init(secretID: String, secretName: String, fileName: String) {
            self.secretID = secretID
            self.secretName = secretName
            self.fileName = fileName
        }
    }

    public struct NetworkAttachment: Sendable, Hashable {
        public var target: String
        public var aliases: [String]
        public init(target: String, aliases: [String] = []) {
            self.target = target
            self.aliases = aliases
        }
    }

    public init(name: String, image: String) {
        self.name = name
        self.image = image
    }
}

/// The Engine API's body for `POST /services/create`.
struct ServiceCreateBody: Encodable {
    struct TaskTemplate: Encodable {
        struct ContainerSpec: Encodable {
            struct SecretFile: Encodable {
                var file: File
                var secretID: String
                var secretName: String
                struct File: Encodable {
                    var name: String
                    var uID = "0"
                    var gID = "0"
                    var mode = 0o400
                }
            }
            var image: String
            var command: [String]?
            var args: [String]?
            var user: String?
            var readOnly: Bool
            var env: [String]
            var dir: String?
            var labels: [String: String]
            var `init`: Bool
            var hostname: String?
            var secrets: [SecretFile]
        }
        struct Resources: Encodable {
            struct Limit: Encodable {
                var nanoCPUs: Int64?
                var memoryBytes: Int64?
                var pids: Int64?
            }
            var limits: Limit
            var reservations: Limit
        }
        struct Restart: Encodable { var condition = "none" }
        struct Placement: Encodable { var constraints: [String] }
        struct Network: Encodable {
            var target: String
            var aliases: [String]
        }
        var containerSpec: ContainerSpec
        var resources: Resources
        var restartPolicy = Restart()
        var placement: Placement
        var networks: [Network]
    }
    struct Mode: Encodable {
        struct Replicated: Encodable { var replicas: Int }
        struct Job: Encodable {
            var maxConcurrent = 1
            var totalCompletions = 1
        }
        var replicated: Replicated?
        var replicatedJob: Job?
    }

    struct Endpoint: Encodable { var mode: String }

    var name: String
    var labels: [String: String]
    var taskTemplate: TaskTemplate
    var mode: Mode
    /// `dnsrr`: the service's name and aliases resolve to its tasks' own addresses. A virtual
    /// IP needs the kernel's IPVS, which not every host has (its VIP then answers nothing), and
    /// an environment has one task anyway.
    var endpointSpec = Endpoint(mode: "dnsrr")

    init(_ spec: SwarmServiceSpec) {
        name = spec.name
        labels = spec.labels
        taskTemplate = TaskTemplate(
            containerSpec: .init(
                image: spec.image, command: spec.entrypoint, args: spec.args, user: spec.user, readOnly: spec.readOnlyRoot,
                env: spec.environment, dir: spec.workingDirectory,
                labels: spec.containerLabels, init: spec.runInit, hostname: spec.hostname,
                secrets: spec.secrets.map {
                    .init(file: .init(name: $0.fileName), secretID: $0.secretID, secretName: $0.secretName)
                }),
            resources: .init(
                limits: .init(nanoCPUs: spec.nanoCPUs, memoryBytes: spec.memoryBytes, pids: spec.pids),
                reservations: .init(nanoCPUs: spec.reservedNanoCPUs, memoryBytes: spec.reservedMemoryBytes)),
            placement: .init(constraints: spec.constraints),
            networks: spec.networks.map { .init(target: $0.target, aliases: $0.aliases) })
        switch spec.mode {
        case .replicated(let count): mode = Mode(replicated: .init(replicas: count))
        case .job: mode = Mode(replicatedJob: .init())
        }
    }
}

/// A swarm service as `GET /services` describes it (what this project reads of it).
public struct SwarmService: Decodable, Sendable, Hashable {
    public struct Spec: Decodable, Sendable, Hashable {
        public var name: String
        public var labels: [String: String]?
        public var taskTemplate: TaskTemplate?
    }
    public struct TaskTemplate: Decodable, Sendable, Hashable {
        public var containerSpec: ContainerSpec?
    }
    public struct ContainerSpec: Decodable, Sendable, Hashable {
        public var image: String?
        public var env: [String]?
    }
    public var id: String
    public var spec: Spec
}

/// One task of a service: where it runs and how it is doing.
public struct SwarmTask: Decodable, Sendable, Hashable {
    public struct Status: Decodable, Sendable, Hashable {
        /// `new` … `running`, then `complete`, `failed`, `shutdown`, `rejected`, `orphaned`, `remove`.
        public var state: String
        public var message: String?
        public var err: String?
        public var containerStatus: ContainerStatus?
    }
    public struct ContainerStatus: Decodable, Sendable, Hashable {
        public var containerID: String?
        public var exitCode: Int?
    }
    public var id: String
    public var serviceID: String
    public var nodeID: String?
    public var desiredState: String?
    public var status: Status
    public var createdAt: String?
}

/// A swarm secret or config, as listed (their data is never returned by the daemon).
public struct SwarmObject: Decodable, Sendable, Hashable {
    public struct Spec: Decodable, Sendable, Hashable {
        public var name: String
        public var labels: [String: String]?
    }
    public var id: String
    public var spec: Spec
}

struct SwarmObjectCreateBody: Encodable {
    var name: String
    var labels: [String: String]
    /// Base64, as the API wants it.
    var data: String
}
