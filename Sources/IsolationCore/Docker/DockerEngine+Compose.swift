import DockerAPI
import Foundation

/// A compose stack as one environment: its networks, volumes and containers,
/// started in `depends_on` order with each condition waited for, labelled as
/// Docker Compose labels them (so `docker-compose ps` and `down` see the stack)
/// and as everything of the environment is (so destroy, cleanup and the reaper
/// remove it like one container).
extension DockerEngine {
    /// Compose's own labels.
    enum ComposeLabels {
        static let project = "com.docker.compose.project"
        static let service = "com.docker.compose.service"
        static let containerNumber = "com.docker.compose.container-number"
        static let oneoff = "com.docker.compose.oneoff"
        static let workingDir = "com.docker.compose.project.working_dir"
        static let configFiles = "com.docker.compose.project.config_files"
        static let configHash = "com.docker.compose.config-hash"
        static let network = "com.docker.compose.network"
        static let volume = "com.docker.compose.volume"
    }

    /// Brings up `plan` as `environment`; on any failure everything made so far is removed
    /// (found by the environment's labels) and the error says which service failed and why.
    ///
    /// - Parameter seed: a snapshot of a stack whose volume copies fill the project's volumes
    ///   before any container starts (a restore).
    func createStack(_ environment: Environment, plan: ComposeStackPlan, seed: Snapshot? = nil) async throws -> EngineArtifact {
        let timeout = environment.spec.readyTimeoutSeconds ?? Self.defaultReadyTimeout
        // Each wait gets the whole timeout from its own start, as a container's readiness wait
        // does from its start: a daemon slow to create containers does not eat the services' time.
        let patience = Duration.milliseconds(Int64(timeout * 1000))
        return try await withClient { client in
            do {
                return try await self.upStack(plan, environment: environment, seed: seed, patience: patience, client: client)
            } catch {
                try? await self.removeContainers(of: environment, client: client)
                try? await self.removeOwnedNetworks(of: environment, client: client)
                try? await self.removeVolumes(of: environment, client: client)
                throw error
            }
        }
    }

    private func upStack(
        _ plan: ComposeStackPlan, environment: Environment, seed: Snapshot?, patience: Duration, client: DockerClient
    ) async throws -> EngineArtifact {
        let project = plan.project
        let networks = try await createStackNetworks(plan, environment: environment, client: client)
        let volumes = try await createStackVolumes(plan, environment: environment, client: client)
        if let seed { try await fillStackVolumes(volumes, from: seed, environment: environment, client: client) }
        var containers: [String: [String]] = [:]
        var details: [String: String] = [
            "mode": "compose", "compose.project": project.name, "compose.main": plan.main.name,
            "compose.services": plan.order.map(\.name).joined(separator: ","),
        ]
        // Services whose dependencies are all up start together, wave after wave, as Compose
        // starts independent services concurrently.
        for wave in plan.waves {
            let started = try await withThrowingTaskGroup(of: (String, [String]).self) { group in
                for service in wave {
                    let ready = containers
                    group.addTask {
                        for (dependency, condition) in service.dependsOn.sorted(by: { $0.key < $1.key }) {
                            try await self.waitFor(
                                dependency, condition, of: service.name, containers: ready[dependency] ?? [], patience: patience,
                                client: client)
                        }
                        let ids = try await self.startService(
                            service, plan: plan, environment: environment, networks: networks, volumes: volumes, client: client)
                        return (service.name, ids)
                    }
                }
                return try await group.reduce(into: [String: [String]]()) { $0[$1.0] = $1.1 }
            }
            for (name, ids) in started {
                containers[name] = ids
                details["container.\(name)"] = ids[0]
            }
        }
        // Up means every service is running (or has finished with 0) and healthy where it has a healthcheck.
        for service in plan.order {
            try await waitForReadiness(service.name, containers: containers[service.name] ?? [], patience: patience, client: client)
        }
        for service in plan.order {
            guard let id = containers[service.name]?.first, !service.ports.isEmpty else { continue }
            let inspect = try await client.inspectContainer(id)
            for port in service.ports {
                guard let hostPort = inspect.hostPorts(for: port.target, protocolName: port.protocolName).first else { continue }
                details["port.\(service.name).\(port.target)"] = String(hostPort)
                if service.name == plan.main.name { details["port.\(port.target)"] = String(hostPort) }
            }
        }
        details["network"] = Self.networkAttachments(of: plan.main).first.flatMap { networks[$0.key] } ?? "none"
        guard let location = containers[plan.main.name]?.first else {
            throw IsolationError(.ioFailure, "compose: the main service '\(plan.main.name)' has no container")
        }
        return EngineArtifact(location: location, details: details)
    }

    /// Creates and starts the containers of one service (one per replica).
    private func startService(
        _ service: ComposeService, plan: ComposeStackPlan, environment: Environment, networks: [String: String],
        volumes: [String: String], client: DockerClient
    ) async throws -> [String] {
        let image = try await serviceImage(service, subject: environment.id, client: client)
        var ids: [String] = []
        for number in 1...max(1, service.replicas) {
            let container = try Self.containerSpec(
                of: service, number: number, image: image, plan: plan, environment: environment, networks: networks, volumes: volumes)
            let id = try await createContainerPulling(container, of: environment, client: client)
            ids.append(id)
            // The create request takes one network (API 1.41); the others are joined before the start.
            for (key, aliases) in Self.networkAttachments(of: service).dropFirst() {
                guard let name = networks[key] else { continue }
                try await client.connectNetwork(name, container: id, options: NetworkConnectOptions(aliases: [service.name] + aliases))
            }
            try await client.startContainer(id)
        }
        return ids
    }

    /// The image a service's containers run. With both `build` and `image`, as Compose does: the
    /// named image when the daemon has it, else the build's result tagged with that name (so the
    /// next stack, and `docker compose`, find it).
    private func serviceImage(_ service: ComposeService, subject: String, client: DockerClient) async throws -> String {
        guard let build = service.build, let named = service.image, !named.isEmpty else {
            return try await resolveImage(service.image, build: service.build.map(Self.buildSpec), subject: subject, client: client)
                .reference
        }
        do {
            _ = try await client.inspectImage(named)
            return named
        } catch let error as DockerError where error.code == .notFound {
            let built = try await resolveImage(nil, build: Self.buildSpec(build), subject: subject, client: client).reference
            try await client.tagImage(built, as: named)
            return built
        }
    }

    /// The service's networks in a stable order (declared order is lost in a map: by name), `default` when it names none.
    static func networkAttachments(of service: ComposeService) -> [(key: String, aliases: [String])] {
        if service.networks.isEmpty { return [("default", [])] }
        return service.networks.sorted { $0.key < $1.key }.map { ($0.key, $0.value.aliases) }
    }

    /// Creates the project's networks that a started service uses; returns key → Docker name.
    private func createStackNetworks(_ plan: ComposeStackPlan, environment: Environment, client: DockerClient) async throws
        -> [String: String]
    {
        let used = Set(plan.order.flatMap { Self.networkAttachments(of: $0).map(\.key) })
        var names: [String: String] = [:]
        for key in used.sorted() {
            let network = plan.project.networks[key] ?? ComposeNetwork()
            let name = network.name ?? "\(plan.project.name)_\(key)"
            names[key] = name
            if network.external {
                guard (try? await client.inspectNetwork(name)) != nil else {
                    throw IsolationError(
                        .invalidSpec, field: "compose",
                        "networks.\(key) is external, but no network '\(name)' exists; create it first or drop external")
                }
                continue
            }
            let labels = network.labels.merging(environment.labels) { $1 }.merging([
                ComposeLabels.project: plan.project.name, ComposeLabels.network: key,
            ]) { $1 }
            try await createNetwork(name, labels: labels, internal: network.internal, client: client)
        }
        return names
    }

    /// Creates the project's named volumes that a started service mounts; returns key → Docker name.
    private func createStackVolumes(_ plan: ComposeStackPlan, environment: Environment, client: DockerClient) async throws
        -> [String: String]
    {
        let used = Set(plan.order.flatMap { $0.volumes.filter { $0.type == .volume }.compactMap(\.source) })
        var names: [String: String] = [:]
        for key in used.sorted() {
            guard let volume = plan.project.volumes[key] else {
                throw IsolationError(
                    .invalidSpec, field: "compose", "a service mounts the volume '\(key)', which the top-level volumes do not declare")
            }
            let name = volume.name ?? "\(plan.project.name)_\(key)"
            names[key] = name
            if volume.external {
                guard (try? await client.inspectVolume(name)) != nil else {
                    throw IsolationError(
                        .invalidSpec, field: "compose",
                        "volumes.\(key) is external, but no volume '\(name)' exists; create it first or drop external")
                }
                continue
            }
            let labels = volume.labels.merging(environment.labels) { $1 }.merging([
                ComposeLabels.project: plan.project.name, ComposeLabels.volume: key,
            ]) { $1 }
            _ = try await client.createVolume(VolumeSpec(name: name, labels: labels))
        }
        return names
    }

    static func buildSpec(_ build: ComposeBuild) -> BuildSpec {
        BuildSpec(context: build.context, dockerfile: build.dockerfile ?? "Dockerfile", args: build.args, target: build.target)
    }

    /// The container of one replica of `service`, as Compose would create it.
    static func containerSpec(
        of service: ComposeService, number: Int, image: String, plan: ComposeStackPlan, environment: Environment,
        networks: [String: String], volumes: [String: String]
    ) throws -> ContainerSpec {
        let project = plan.project
        var container = ContainerSpec(image: image)
        container.name = "\(project.name)-\(service.name)-\(number)"
        container.command = service.command
        container.entrypoint = service.entrypoint
        container.environment = service.environment
        container.workingDirectory = service.workingDir
        container.user = service.user
        container.hostname = service.hostname
        container.extraHosts = service.extraHosts
        container.stopSignal = service.stopSignal
        container.stopTimeoutSeconds = service.stopGracePeriodSeconds.map { Int($0.rounded(.up)) }
        container.runInit = service.runInit
        container.labels = service.labels.merging(environment.labels) { $1 }.merging([
            ComposeLabels.project: project.name, ComposeLabels.service: service.name, ComposeLabels.containerNumber: String(number),
            ComposeLabels.oneoff: "False", ComposeLabels.workingDir: project.workingDirectory,
            ComposeLabels.configFiles: project.configFiles.joined(separator: ","),
            ComposeLabels.configHash: service.configHash,
            ResourceLabels.mode: "compose", ResourceLabels.composeService: service.name,
        ]) { $1 }
        container.ports = service.ports.map {
            ContainerSpec.PortPublication(
                containerPort: $0.target, protocolName: $0.protocolName, hostIP: $0.hostIP ?? "", hostPort: $0.published)
        }
        container.mounts = try service.volumes.map { volume in
            switch volume.type {
            case .bind:
                return .bind(volume.source ?? "", at: volume.target, readOnly: volume.readOnly)
            case .tmpfs:
                return .tmpfs(at: volume.target, sizeBytes: volume.tmpfsSizeBytes)
            case .volume:
                guard let source = volume.source else {
                    // Anonymous: the daemon names it, and removing the container removes it.
                    return .anonymousVolume(at: volume.target, readOnly: volume.readOnly)
                }
                guard let name = volumes[source] else {
                    throw IsolationError(.invalidSpec, field: "compose", "services.\(service.name).volumes: '\(source)' is not declared")
                }
                return .volume(name, at: volume.target, readOnly: volume.readOnly)
            }
        }
        container.mounts += service.tmpfs.map { entry in
            ContainerSpec.Mount.tmpfs(at: String(entry.split(separator: ":", maxSplits: 1).first ?? Substring(entry)))
        }
        container.security.privileged = service.privileged
        container.security.readOnlyRootFilesystem = service.readOnly
        container.security.capAdd = service.capAdd
        container.security.capDrop = service.capDrop
        container.resources.memoryBytes = service.memoryBytes
        container.resources.nanoCPUs = service.cpus.map { Int64(($0 * 1e9).rounded()) }
        container.resources.shmSizeBytes = service.shmSizeBytes
        if let healthcheck = service.healthcheck {
            container.healthcheck = ContainerSpec.Healthcheck(
                test: healthcheck.disable ? ["NONE"] : healthcheck.test,
                interval: healthcheck.intervalSeconds.map(Self.duration), timeout: healthcheck.timeoutSeconds.map(Self.duration),
                startPeriod: healthcheck.startPeriodSeconds.map(Self.duration), retries: healthcheck.retries)
        }
        if let restart = service.restart, restart != "no" {
            let parts = restart.split(separator: ":", maxSplits: 1)
            container.restartPolicy = ContainerSpec.RestartPolicy(
                name: String(parts[0]), maximumRetryCount: parts.count > 1 ? Int(parts[1]) ?? 0 : 0)
        }
        let attachments = networkAttachments(of: service)
        if let first = attachments.first, let name = networks[first.key] {
            container.networkMode = name
            container.networkAliases = [service.name] + first.aliases
        }
        return container
    }

    static func duration(_ seconds: Double) -> Duration {
        .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// Waits until `dependency`'s containers meet `condition` for `dependent`'s start.
    private func waitFor(
        _ dependency: String, _ condition: ComposeDependency, of dependent: String, containers: [String],
        patience: Duration, client: DockerClient
    ) async throws {
        let deadline = ContinuousClock.now + patience
        let doing = "\(dependent) waited for it (\(condition.rawValue))"
        var pause = Duration.milliseconds(50)
        while true {
            var met = true
            for id in containers {
                let state = try await client.inspectContainer(id).state
                switch condition {
                case .serviceStarted:
                    if !state.running && state.exitCode != 0 { throw await stackFailure(dependency, id, state, doing, client) }
                case .serviceHealthy:
                    guard state.running else { throw await stackFailure(dependency, id, state, doing, client) }
                    guard let health = state.health else {
                        throw IsolationError(
                            .invalidSpec, field: "compose",
                            "services.\(dependent).depends_on.\(dependency): service_healthy, but \(dependency) has no healthcheck; give it one"
                        )
                    }
                    if health.status == "unhealthy" { throw await stackFailure(dependency, id, state, doing, client) }
                    met = met && health.status == "healthy"
                case .serviceCompletedSuccessfully:
                    if !state.running && state.exitCode != 0 { throw await stackFailure(dependency, id, state, doing, client) }
                    met = met && !state.running && state.status == "exited"
                }
            }
            if met { return }
            try await sleepBefore(deadline, pause, waiting: "\(dependency) (\(condition.rawValue), for \(dependent))")
            pause = min(pause * 2, .milliseconds(500))
        }
    }

    /// Waits until the service's containers run (or have exited with 0) and, with a healthcheck, are healthy.
    private func waitForReadiness(_ service: String, containers: [String], patience: Duration, client: DockerClient)
        async throws
    {
        let deadline = ContinuousClock.now + patience
        var pause = Duration.milliseconds(50)
        while true {
            var ready = true
            for id in containers {
                let state = try await client.inspectContainer(id).state
                if !state.running {
                    guard state.status == "exited", state.exitCode == 0 else {
                        throw await stackFailure(service, id, state, "the stack came up", client)
                    }
                    continue
                }
                if let health = state.health {
                    if health.status == "unhealthy" { throw await stackFailure(service, id, state, "the stack came up", client) }
                    ready = ready && health.status == "healthy"
                }
            }
            if ready { return }
            try await sleepBefore(deadline, pause, waiting: "\(service) to be healthy")
            pause = min(pause * 2, .milliseconds(500))
        }
    }

    private func sleepBefore(_ deadline: ContinuousClock.Instant, _ pause: Duration, waiting what: String) async throws {
        guard ContinuousClock.now + pause < deadline else {
            throw IsolationError(
                .timeout, "compose: still waiting for \(what) at the deadline; raise ready_timeout_seconds or fix the service")
        }
        try await Task.sleep(for: pause)
    }

    private func stackFailure(
        _ service: String, _ id: String, _ state: ContainerInspect.State, _ doing: String, _ client: DockerClient
    ) async -> IsolationError {
        let what =
            state.running
            ? "turned unhealthy\(Self.lastHealthOutput(state))" : "exited with code \(state.exitCode)"
        return IsolationError(
            .invalidSpec, field: "compose", "service \(service) \(what) while \(doing)\(await lastLogLines(id, client: client))")
    }
}
