import DockerAPI
import Foundation

/// An environment's service: made from the spec, waited for until its one task runs, and
/// removed with everything it made.
extension SwarmEngine {
    /// Spec fields a swarm service cannot honour as the Docker engine does, refused by name.
    static func refusedFields(of spec: EnvironmentSpec) -> [(field: String, why: String)] {
        var refused: [(String, String)] = []
        if spec.compose != nil { refused.append(("compose", "a stack runs on the docker engine")) }
        if !spec.tmpfs.isEmpty { refused.append(("tmpfs", "not offered by the swarm engine")) }
        if !spec.capAdd.isEmpty { refused.append(("cap_add", "not offered by the swarm engine")) }
        if !spec.capDrop.isEmpty { refused.append(("cap_drop", "not offered by the swarm engine")) }
        if spec.privileged { refused.append(("privileged", "swarm services cannot be privileged")) }
        if spec.healthcheck != nil { refused.append(("healthcheck", "use wait_for, which the engine checks on the task's node")) }
        if spec.resources?.gpus != nil { refused.append(("resources.gpus", "not offered by the swarm engine")) }
        if spec.network == "none" {
            refused.append(("network", "a swarm task always has its node's bridge; leave network out, or give isolated or a name"))
        }
        for (index, secret) in spec.secrets.enumerated() where secret.delivery == .env {
            refused.append(("secrets[\(index)].as", "swarm gives secrets as files only (/run/secrets/NAME); use as: \"file\""))
        }
        return refused
    }

    public func create(_ environment: Environment) async throws -> EngineArtifact {
        let spec = environment.spec
        if let refused = Self.refusedFields(of: spec).first {
            throw IsolationError(.invalidSpec, field: refused.field, "\(refused.why) (engine swarm)")
        }
        let resolved = try await manager.withClient {
            try await self.manager.resolveImage(spec.image, build: spec.build, subject: environment.id, client: $0)
        }
        let imageID = try await distribute(resolved.reference)
        let name = Self.serviceName(environment)
        var details = resolved.details
        details[SwarmDetails.service] = name
        var service = SwarmServiceSpec(name: name, image: imageID)
        service.labels = environment.labels.merging([ResourceLabels.mode: spec.effectiveMode.rawValue]) { $1 }
        service.containerLabels = service.labels
        service.args = DockerEngine.containerCommand(of: spec)
        service.entrypoint = spec.entrypoint
        service.user = spec.user
        service.readOnlyRoot = spec.readOnlyRoot
        service.workingDirectory = DockerEngine.workDirectory(of: spec)
        service.environment = DockerEngine.containerVariables(of: spec).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        service.hostname = spec.name.map { String($0.prefix(63)) }
        service.constraints = spec.placement
        if let resources = spec.resources {
            // Reservations as well as limits, so the scheduler places by what the environment may use.
            service.memoryBytes = try resources.memory.map(ResourceParsing.memoryBytes)
            service.reservedMemoryBytes = service.memoryBytes
            service.nanoCPUs = try resources.cpus.map(ResourceParsing.nanoCPUs)
            service.reservedNanoCPUs = service.nanoCPUs
            service.pids = resources.pids.map(Int64.init)
        }
        var made = MadeResources()
        do {
            try await manager.withClient { client in
                try await self.attachNetwork(spec, environment: environment, to: &service, details: &details, made: &made, client: client)
                service.secrets = try await self.createSecrets(spec, environment: environment, made: &made, client: client)
                made.service = try await client.createService(service)
            }
            details[SwarmDetails.serviceID] = made.service
            let task = try await waitForTask(service: made.service!, environment: environment)
            details[SwarmDetails.nodeID] = task.node.id
            details[SwarmDetails.node] = task.nodeName
            details[SwarmDetails.nodeEndpoint] = task.endpoint
            var placed = environment
            placed.location = task.containerID
            placed.details = details
            if !spec.waitFor.isEmpty {
                try await onDocker(placed) { node in
                    try await node.withClient { try await node.waitUntilReady(task.containerID, spec: spec, hostPorts: [:], client: $0) }
                }
            }
            return EngineArtifact(location: task.containerID, details: details)
        } catch {
            await removeMade(made, environment: environment)
            throw error
        }
    }

    static func serviceName(_ environment: Environment) -> String { "ptest-iso-\(environment.id)" }

    /// What a creation has made so far, undone when it fails half-way.
    struct MadeResources {
        var service: String?
        var secrets: [String] = []
        var network: String?
    }

    private func removeMade(_ made: MadeResources, environment: Environment) async {
        var failed = environment
        failed.details[SwarmDetails.serviceID] = made.service
        failed.details[SwarmDetails.ownedNetwork] = made.network
        try? await destroy(failed)
    }

    /// `isolated`: an overlay network of the environment's own. A name: an attachable overlay
    /// network shared by every environment (on any node) that gives it, reached by its name as
    /// an alias. None: the task stays on its node's bridge.
    private func attachNetwork(
        _ spec: EnvironmentSpec, environment: Environment, to service: inout SwarmServiceSpec, details: inout [String: String],
        made: inout MadeResources, client: DockerClient
    ) async throws {
        guard let request = spec.network else { return }
        let alias = spec.name ?? environment.id
        if request == "isolated" {
            let name = Self.serviceName(environment)
            try await client.createNetwork(NetworkSpec(name: name, driver: "overlay", attachable: true, labels: environment.labels))
            made.network = name
            details[SwarmDetails.ownedNetwork] = name
            details["network"] = name
            service.networks = [.init(target: name, aliases: [alias])]
            return
        }
        if (try? await client.inspectNetwork(request)) == nil {
            var labels = ResourceLabels.outliving(environment.labels)
            labels[ResourceLabels.sharedNetwork] = "true"
            do {
                try await client.createNetwork(NetworkSpec(name: request, driver: "overlay", attachable: true, labels: labels))
            } catch let error as DockerError where error.code == .conflict {
                // Another environment made it first: join it.
            }
        }
        details[SwarmDetails.sharedNetwork] = request
        details["network"] = request
        service.networks = [.init(target: request, aliases: [alias])]
    }

    /// Each file secret becomes a swarm secret of the environment's, given to the task as
    /// `/run/secrets/NAME`: the value is in the swarm's encrypted store, never in the service.
    private func createSecrets(
        _ spec: EnvironmentSpec, environment: Environment, made: inout MadeResources, client: DockerClient
    ) async throws -> [SwarmServiceSpec.SecretReference] {
        var references: [SwarmServiceSpec.SecretReference] = []
        for secret in spec.secrets where secret.delivery == .file {
            guard let value = secret.value else { continue }
            let name = "ptest-iso-\(environment.id)-\(secret.name)"
            let id = try await client.createSecret(name: name, value: Data(value.utf8), labels: environment.labels)
            made.secrets.append(id)
            references.append(.init(secretID: id, secretName: name, fileName: secret.name))
        }
        return references
    }

    struct PlacedTask {
        var containerID: String
        var node: SwarmNode
        var nodeName: String
        var endpoint: String
    }

    /// Waits for the service's task to run, and finds its node's endpoint.
    ///
    /// - Throws: `invalidSpec` with the swarm's reason when the task fails or is rejected;
    ///   `timeout` when it is not running within `start_timeout_seconds` (no node fits, say).
    private func waitForTask(service: String, environment: Environment) async throws -> PlacedTask {
        let deadline = ContinuousClock.now + .milliseconds(Int64(settings.startTimeoutSeconds * 1000))
        var last = "no task yet"
        while ContinuousClock.now < deadline {
            try Task.checkCancellation()
            let tasks = try await manager.withClient { try await $0.listTasks(filters: ["service": [service]]) }
            if let task = tasks.max(by: { ($0.createdAt ?? "") < ($1.createdAt ?? "") }) {
                last = "task \(task.status.state)" + (task.status.err.map { ": \($0)" } ?? "")
                switch task.status.state {
                case "running":
                    if let container = task.status.containerStatus?.containerID, let nodeID = task.nodeID {
                        let node = try await manager.withClient { try await $0.inspectNode(nodeID) }
                        return PlacedTask(
                            containerID: container, node: node, nodeName: Self.nodeName(node), endpoint: try endpoint(of: node))
                    }
                case "pending" where task.status.err != nil:
                    // The scheduler found no node that fits (constraints, reservations): say so now
                    // rather than wait for one to join.
                    throw IsolationError(
                        .invalidSpec, field: environment.spec.placement.isEmpty ? "resources" : "placement",
                        "the swarm cannot place environment \(environment.id): \(task.status.err ?? "")")
                case "failed", "rejected", "shutdown", "complete", "orphaned", "remove":
                    throw IsolationError(
                        .invalidSpec, "the swarm could not run environment \(environment.id): \(last)")
                default:
                    break
                }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw IsolationError(
            .timeout,
            "environment \(environment.id): its swarm task was not running within \(settings.startTimeoutSeconds) s (\(last)); "
                + "check the placement constraints and the nodes' free resources (`docker node ls`)")
    }

    static func nodeName(_ node: SwarmNode) -> String {
        node.spec.labels?["ptest-iso.node"] ?? node.spec.name ?? node.description?.hostname ?? node.id
    }

    /// A node's own API: the settings' map (by id, name or hostname), else its endpoint label.
    func endpoint(of node: SwarmNode) throws -> String {
        for key in [node.id, node.spec.labels?["ptest-iso.node"], node.spec.name, node.description?.hostname].compactMap({ $0 }) {
            if let endpoint = settings.nodeEndpoints[key] { return endpoint }
        }
        if let endpoint = node.spec.labels?[SwarmSettings.endpointLabel] { return endpoint }
        throw IsolationError(
            .engineUnavailable,
            "swarm node \(Self.nodeName(node)) has no endpoint: label it (`docker node update --label-add "
                + "\(SwarmSettings.endpointLabel)=tcp://HOST:2376 \(node.id)`) or list it in swarm.node_endpoints")
    }

    public func destroy(_ environment: Environment) async throws {
        let service = environment.details[SwarmDetails.serviceID] ?? Self.serviceName(environment)
        try await manager.withClient { client in
            do {
                try await client.removeService(service)
            } catch let error as DockerError where error.code == .notFound {}
            for secret in try await client.listSecrets(filters: ["label": ["\(ResourceLabels.environment)=\(environment.id)"]]) {
                try? await client.removeSecret(secret.id)
            }
        }
        // Before the networks: the task's container holds them until it is gone.
        if !environment.location.isEmpty {
            await removeTaskContainer(environment)
        }
        if let network = environment.details[SwarmDetails.ownedNetwork] {
            try await removeNetwork(network, force: true)
        }
        if let shared = environment.details[SwarmDetails.sharedNetwork] {
            try await removeNetwork(shared, force: false)
        }
    }

    /// Removes the task's container on its node at once rather than waiting for the node's agent
    /// to notice the service is gone (a second or two); a lost node is skipped, and what it
    /// still holds is removed by the sweep once it answers again.
    private func removeTaskContainer(_ environment: Environment) async {
        guard let endpoint = environment.details[SwarmDetails.nodeEndpoint] else { return }
        _ = try? await engine(at: endpoint).withClient {
            try await $0.removeContainer(environment.location, force: true, removeVolumes: true)
        }
    }

    /// Removes an overlay network; one still in use by another environment (a shared one) stays.
    private func removeNetwork(_ name: String, force: Bool) async throws {
        try await manager.withClient { client in
            // The manager frees a network's addresses a moment after the last task on it has gone.
            for attempt in 0..<(force ? 40 : 1) {
                do {
                    try await client.removeNetwork(name)
                    return
                } catch let error as DockerError where error.code == .notFound {
                    return
                } catch let error as DockerError where error.code != .daemonUnreachable {
                    if attempt < 39, force { try? await Task.sleep(for: .milliseconds(100)) }
                }
            }
        }
    }

    public func reuseProblem(_ environment: Environment) async throws -> String? {
        let tasks = try await manager.withClient {
            try await $0.listTasks(filters: ["service": [environment.details[SwarmDetails.serviceID] ?? Self.serviceName(environment)]])
        }
        return tasks.contains { $0.status.state == "running" } ? nil : "its swarm task is no longer running"
    }
}
