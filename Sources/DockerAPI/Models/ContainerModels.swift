public import Foundation

/// `GET /containers/{id}/json`: what the daemon knows about one container.
public struct ContainerInspect: Decodable, Sendable {
    public var id: String
    public var name: String
    public var created: String?
    public var image: String
    public var state: State
    public var config: Config
    public var hostConfig: HostConfig
    public var networkSettings: NetworkSettings
    public var mounts: [MountPoint]?

    public struct State: Decodable, Sendable {
        public var status: String
        public var running: Bool
        public var paused: Bool
        public var restarting: Bool
        public var oomKilled: Bool
        public var dead: Bool
        public var pid: Int
        public var exitCode: Int
        public var error: String?
        public var startedAt: String?
        public var finishedAt: String?
        public var health: Health?
    }

    public struct Health: Decodable, Sendable {
        /// `starting`, `healthy` or `unhealthy`.
        public var status: String
        public var failingStreak: Int
        public var log: [HealthLog]?
    }

    public struct HealthLog: Decodable, Sendable {
        public var exitCode: Int
        public var output: String
    }

    public struct Config: Decodable, Sendable {
        public var hostname: String?
        public var user: String?
        public var env: [String]?
        public var cmd: [String]?
        public var entrypoint: [String]?
        public var image: String?
        public var workingDir: String?
        public var labels: [String: String]?
        public var openStdin: Bool?
        public var tty: Bool?
    }

    public struct HostConfig: Decodable, Sendable {
        public var memory: Int64?
        public var memorySwap: Int64?
        public var nanoCpus: Int64?
        public var cpuShares: Int?
        public var pidsLimit: Int?
        public var networkMode: String?
        public var privileged: Bool?
        public var readonlyRootfs: Bool?
        public var securityOpt: [String]?
        public var capAdd: [String]?
        public var capDrop: [String]?
        public var autoRemove: Bool?
    }

    public struct NetworkSettings: Decodable, Sendable {
        public var ports: [String: [PortBinding]?]?
        public var networks: [String: EndpointSettings]?
        public var ipAddress: String?
    }

    public struct PortBinding: Decodable, Sendable, Hashable {
        public var hostIp: String
        public var hostPort: String
    }

    public struct EndpointSettings: Decodable, Sendable {
        public var networkID: String?
        public var ipAddress: String?
        public var gateway: String?
        public var macAddress: String?
        public var aliases: [String]?
    }

    public struct MountPoint: Decodable, Sendable {
        public var type: String?
        public var name: String?
        public var source: String?
        public var destination: String
        public var rw: Bool?
    }

    /// The host ports a container port was published on, e.g. `hostPorts(for: 80)`.
    public func hostPorts(for containerPort: Int, protocolName: String = "tcp") -> [Int] {
        let bindings = networkSettings.ports?["\(containerPort)/\(protocolName)"] ?? nil
        return (bindings ?? []).compactMap { Int($0.hostPort) }
    }
}

/// One row of `GET /containers/json`.
public struct ContainerSummary: Decodable, Sendable {
    public var id: String
    public var names: [String]
    public var image: String
    public var imageID: String?
    public var command: String?
    public var created: Int64
    public var state: String
    public var status: String
    public var labels: [String: String]?
    public var ports: [Port]?

    public struct Port: Decodable, Sendable, Hashable {
        public var ip: String?
        public var privatePort: Int
        public var publicPort: Int?
        public var type: String
    }
}

/// The result of waiting for a container.
public struct ContainerWaitResult: Decodable, Sendable {
    public var statusCode: Int
    public var error: WaitError?

    public struct WaitError: Decodable, Sendable {
        public var message: String?
    }
}

/// `POST /containers/create`'s reply.
public struct ContainerCreateResponse: Decodable, Sendable {
    public var id: String
    public var warnings: [String]?
}

/// Which state change ``DockerClient/waitContainer(_:condition:timeout:)`` waits for.
public enum WaitCondition: String, Sendable {
    case notRunning = "not-running"
    case nextExit = "next-exit"
    case removed
}

/// One piece of a container's output, with the stream it came from.
public struct OutputChunk: Sendable, Hashable {
    public enum Stream: UInt8, Sendable {
        case stdin = 0, stdout = 1, stderr = 2
    }

    public var stream: Stream
    public var data: Data
}

/// A container's logs with stdout and stderr kept apart.
public struct ContainerLogs: Sendable {
    /// The chunks in the order the daemon sent them.
    public var chunks: [OutputChunk]

    public var stdout: Data { chunks.filter { $0.stream == .stdout }.reduce(into: Data()) { $0 += $1.data } }
    public var stderr: Data { chunks.filter { $0.stream == .stderr }.reduce(into: Data()) { $0 += $1.data } }
}
