/// The Engine API's `POST /containers/create` body, built from a ``ContainerSpec``.
struct ContainerCreateBody: Encodable {
    struct HostConfig: Encodable {
        var portBindings: [String: [PortBinding]]?
        var mounts: [MountBody]?
        var memory: Int64?
        var memorySwap: Int64?
        var nanoCpus: Int64?
        var cpuShares: Int?
        var pidsLimit: Int?
        var deviceRequests: [DeviceRequest]?
        var securityOpt: [String]?
        var privileged: Bool?
        var readonlyRootfs: Bool?
        var capAdd: [String]?
        var capDrop: [String]?
        var networkMode: String?
        var restartPolicy: RestartPolicyBody?
        var `init`: Bool?
        var extraHosts: [String]?
        var shmSize: Int64?
        var sysctls: [String: String]?
    }

    struct PortBinding: Codable, Sendable, Hashable {
        var hostIp: String?
        var hostPort: String?
    }

    struct MountBody: Encodable {
        struct TmpfsOptions: Encodable {
            var sizeBytes: Int64?
            var mode: Int?
        }
        var type: String
        var source: String?
        var target: String
        var readOnly: Bool?
        var tmpfsOptions: TmpfsOptions?
    }

    struct DeviceRequest: Encodable {
        var driver: String
        var count: Int
        var deviceIDs: [String]?
        var capabilities: [[String]]
    }

    struct RestartPolicyBody: Encodable {
        var name: String
        var maximumRetryCount: Int
    }

    struct HealthcheckBody: Encodable {
        var test: [String]
        var interval: Int64?
        var timeout: Int64?
        var startPeriod: Int64?
        var retries: Int?
    }

    struct NetworkingConfig: Encodable {
        struct Endpoint: Encodable { var aliases: [String]? }
        var endpointsConfig: [String: Endpoint]
    }

    var image: String
    var cmd: [String]?
    var entrypoint: [String]?
    var env: [String]?
    var workingDir: String?
    var user: String?
    var hostname: String?
    var labels: [String: String]?
    var exposedPorts: [String: Empty]?
    var tty: Bool?
    var openStdin: Bool?
    var stopSignal: String?
    var stopTimeout: Int?
    var healthcheck: HealthcheckBody?
    var hostConfig: HostConfig
    var networkingConfig: NetworkingConfig?

    init(_ spec: ContainerSpec) {
        image = spec.image
        cmd = spec.command
        entrypoint = spec.entrypoint
        env = spec.environment.isEmpty ? nil : spec.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        workingDir = spec.workingDirectory
        user = spec.user
        hostname = spec.hostname
        labels = spec.labels.isEmpty ? nil : spec.labels
        tty = spec.tty ? true : nil
        openStdin = spec.openStdin ? true : nil
        stopSignal = spec.stopSignal
        stopTimeout = spec.stopTimeoutSeconds
        healthcheck = spec.healthcheck.map {
            HealthcheckBody(
                test: $0.test, interval: $0.interval?.nanoseconds, timeout: $0.timeout?.nanoseconds,
                startPeriod: $0.startPeriod?.nanoseconds, retries: $0.retries
            )
        }
        var exposed: [String: Empty] = [:]
        var bindings: [String: [PortBinding]] = [:]
        for port in spec.ports {
            let key = "\(port.containerPort)/\(port.protocolName)"
            exposed[key] = Empty()
            bindings[key, default: []].append(PortBinding(hostIp: port.hostIP, hostPort: port.hostPort.map(String.init) ?? ""))
        }
        exposedPorts = exposed.isEmpty ? nil : exposed
        let security = spec.security
        let resources = spec.resources
        hostConfig = HostConfig(
            portBindings: bindings.isEmpty ? nil : bindings,
            mounts: spec.mounts.isEmpty
                ? nil
                : spec.mounts.map {
                    MountBody(
                        type: $0.kind.rawValue, source: $0.source, target: $0.target, readOnly: $0.readOnly ? true : nil,
                        tmpfsOptions: $0.kind == .tmpfs ? .init(sizeBytes: $0.tmpfsSizeBytes, mode: $0.tmpfsMode) : nil
                    )
                },
            memory: resources.memoryBytes,
            memorySwap: resources.memorySwapBytes,
            nanoCpus: resources.nanoCPUs,
            cpuShares: resources.cpuShares,
            pidsLimit: resources.pidsLimit,
            deviceRequests: resources.gpus.map {
                [
                    DeviceRequest(
                        driver: $0.driver, count: $0.deviceIDs.isEmpty ? $0.count : 0, deviceIDs: $0.deviceIDs.isEmpty ? nil : $0.deviceIDs,
                        capabilities: [$0.capabilities])
                ]
            },
            securityOpt: security.noNewPrivileges ? ["no-new-privileges:true"] : nil,
            privileged: security.privileged ? true : nil,
            readonlyRootfs: security.readOnlyRootFilesystem ? true : nil,
            capAdd: security.capAdd.isEmpty ? nil : security.capAdd,
            capDrop: security.capDrop.isEmpty ? nil : security.capDrop,
            networkMode: spec.networkMode,
            restartPolicy: spec.restartPolicy.map { RestartPolicyBody(name: $0.name, maximumRetryCount: $0.maximumRetryCount) },
            init: spec.runInit,
            extraHosts: spec.extraHosts.isEmpty ? nil : spec.extraHosts,
            shmSize: resources.shmSizeBytes,
            sysctls: spec.sysctls.isEmpty ? nil : spec.sysctls
        )
        if let network = spec.networkMode, !spec.networkAliases.isEmpty {
            networkingConfig = NetworkingConfig(endpointsConfig: [network: .init(aliases: spec.networkAliases)])
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
