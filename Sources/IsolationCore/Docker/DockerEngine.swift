import DockerAPI
public import Foundation

/// Environments as Docker containers: the spec's image with its limits,
/// labelled with the session, environment and expiry, and no network at
/// all unless the spec asks for one.
///
/// Every operation goes through one client, connected at first use and kept
/// (``SharedDockerClient``): the endpoint is read and the API version
/// negotiated once, and connections are reused. ``shutdownClient()`` closes it;
/// the manager's `shutdown()` calls it.
public final class DockerEngine: IsolationEngine {
    public let kind = EngineKind.docker
    public let capabilities: Set<EngineCapability> = [
        .packages, .snapshots, .resourceLimits, .networks, .ports, .containerImages, .files, .volumes, .secrets,
    ]
    public let priority = 50

    /// The working directory inside the container when the spec names none.
    static let defaultWorkDirectory = "/work"

    let environment: [String: String]
    private let docker: SharedDockerClient
    let standby: StandbyPool
    let networks = NetworkPool(capacity: DockerEngine.pooledNetworkCapacity)
    /// The manager's background work (a group of its own for an engine made alone).
    let background: BackgroundWork
    /// Builds and caches the images of `build` specs; `nil` puts the cache in the default home.
    public let images: ImageManager

    /// - Parameter standbyDepth: containers kept started ahead of need per spec (see ``StandbyPool``); 0 for none.
    public convenience init(
        environment: [String: String] = ProcessInfo.processInfo.environment, standbyDepth: Int = 0, images: ImageManager? = nil
    ) {
        self.init(environment: environment, standbyDepth: standbyDepth, images: images, background: BackgroundWork())
    }

    /// An engine whose standbys start as child tasks of `background`: its manager's work.
    init(
        environment: [String: String] = ProcessInfo.processInfo.environment, standbyDepth: Int, images: ImageManager?,
        background: BackgroundWork
    ) {
        self.environment = environment
        self.docker = SharedDockerClient(environment: environment)
        self.standby = StandbyPool(depth: standbyDepth, background: background)
        self.background = background
        self.images =
            images ?? ImageManager(home: IsolationManager.Configuration.defaultHome(environment), maxBytes: ImageManager.defaultMaxBytes)
    }

    /// Runs `body` with the engine's client (connecting it at first use), turning Docker's errors into ``IsolationError``s.
    func withClient<T>(_ body: (DockerClient) async throws -> T) async throws -> T {
        do {
            return try await body(try await docker.client())
        } catch let error as DockerError {
            throw Self.translate(error)
        }
    }

    /// Closes the engine's connections to the daemon; requests still in flight fail. A later
    /// operation connects again.
    func shutdownClient() async {
        await docker.shutdown()
    }

    static func translate(_ error: DockerError) -> IsolationError {
        if let gpu = gpuFailure(error) { return gpu }
        switch error.code {
        case .daemonUnreachable, .tlsFailure, .apiVersionUnsupported:
            return IsolationError(.daemonUnavailable, error.message)
        case .notFound:
            return IsolationError(.notFound, error.message)
        case .timeout:
            return IsolationError(.timeout, error.message)
        case .badParameter, .conflict, .invalidConfiguration:
            return IsolationError(.invalidSpec, error.message)
        default:
            return IsolationError(.ioFailure, "docker: \(error.message)")
        }
    }

    public func unavailableReason() async -> String? {
        do {
            _ = try await withClient { try await $0.ping() }
            return nil
        } catch {
            return "\(error)"
        }
    }

    public func create(_ environment: Environment) async throws -> EngineArtifact {
        if let compose = environment.spec.compose {
            let project = try Self.loadProject(compose, files: compose.files, name: compose.projectName ?? "ptest-iso-\(environment.id)")
            return try await createStack(environment, plan: ComposeStackPlan(project: project, compose: compose))
        }
        return try await create(environment, installing: true)
    }

    /// - Parameter installing: install the spec's requirements; a restore's image has them already.
    func create(_ environment: Environment, installing: Bool) async throws -> EngineArtifact {
        do {
            return try await createOnce(environment, installing: installing)
        } catch let error as IsolationError where environment.spec.build != nil && Self.isMissingImage(error) {
            // Another process's image-cache collection removed the cached image between its
            // lookup and this container's creation; the next lookup builds it again.
            return try await createOnce(environment, installing: installing)
        }
    }

    /// Called with the image once it is resolved, before its container is created. Tests use it
    /// to remove a cached image at the worst moment, as another process's collection may.
    @TaskLocal static var imageResolved: (@Sendable (String) async -> Void)?

    static func isMissingImage(_ error: IsolationError) -> Bool {
        error.code == .invalidSpec && error.message.hasPrefix("image: ") && error.message.contains("is not present on the daemon")
    }

    private func createOnce(_ environment: Environment, installing: Bool) async throws -> EngineArtifact {
        let spec = environment.spec
        let install = installing && spec.installsAtCreation
        let packageSources = install ? try Self.packageSources(of: spec) : nil
        let resolved = try await withClient {
            try await self.resolveImage(spec.image, build: spec.build, subject: environment.id, client: $0)
        }
        let image = resolved.reference
        await Self.imageResolved?(image)
        var container = ContainerSpec(image: image)
        container.name = "ptest-iso-\(environment.id)"
        container.command = Self.containerCommand(of: spec)
        container.entrypoint = spec.entrypoint
        container.runInit = true
        container.environment = Self.containerVariables(of: spec)
        container.workingDirectory = Self.workDirectory(of: spec)
        container.user = spec.user
        container.labels = environment.labels.merging([ResourceLabels.mode: spec.effectiveMode.rawValue]) { $1 }
        container.stopTimeoutSeconds = 2
        container.security = Self.security(of: spec)
        container.healthcheck = spec.healthcheck.map(Self.healthcheck)
        container.resources = try Self.containerResources(spec.resources)
        container.ports = spec.ports.map { ContainerSpec.PortPublication(containerPort: $0) }
        // A creation that installs is never a standby's: the install is work after the start.
        let standbyKey = install ? nil : standbyKey(for: container, environment: environment)
        return try await withClient { client in
            var details = resolved.details
            details["mode"] = spec.effectiveMode.rawValue
            let redacted = Self.redactedSecrets(of: spec)
            if !redacted.isEmpty { details["secrets_not_given"] = redacted.joined(separator: ",") }
            let standbyLabels = Self.standbyLabels(for: environment)
            if let standbyKey, let claimed = await standby.claim(standbyKey, labels: standbyLabels, engine: self, client: client) {
                await standby.refill(standbyKey, labels: standbyLabels, engine: self)
                details["network"] = claimed.holder?.network ?? claimed.heldNetwork ?? claimed.network ?? "none"
                if let network = claimed.network { details["owned_network"] = network }
                if let holder = claimed.holder { details[Self.holderDetail] = holder.id }
                for (port, hostPort) in claimed.hostPorts { details["port.\(port)"] = String(hostPort) }
                details["standby"] = "true"
                return EngineArtifact(location: claimed.id, details: details)
            }
            let network = try await self.prepareNetwork(
                Self.networkRequest(of: spec), for: container, environment: environment, client: client)
            container.networkMode = network.mode
            if let holder = network.holder {
                // The holder publishes the ports; alone in its namespace, the service needs no alias.
                container.networkMode = "container:\(holder.id)"
                container.ports = []
                details[Self.holderDetail] = holder.id
            } else if !["none", "bridge", "host", "default"].contains(network.mode) {
                // Docker's own networks take no aliases ("network-scoped alias is supported only for
                // containers in user defined networks").
                container.networkAliases = [spec.name ?? environment.id]
            }
            details["network"] = network.mode
            if let owned = network.owned { details["owned_network"] = owned }
            let id: String
            do {
                container.mounts = try await self.mounts(for: environment, client: client) + (packageSources?.mounts ?? [])
                id = try await self.createContainerPulling(container, of: environment, client: client)
            } catch {
                await self.removeResources(of: environment, container: nil, network: network, client: client)
                if let error = error as? DockerError, error.code == .notFound {
                    throw IsolationError(
                        .invalidSpec, field: "image",
                        "'\(image)' is not present on the daemon; build, import or pull it first (\(error.message))")
                }
                throw error
            }
            // A spec gets its first standby now, beside its first start, not after it: the next
            // test then waits for a start half done, not for a whole one. (A spec that can be
            // created but not started costs one failed start more, once: a key whose standby
            // failed gets none early again. A service that never becomes ready is not waited for
            // twice: its environment's failure gives up the standbys being started.)
            if let standbyKey {
                await standby.refill(standbyKey, labels: standbyLabels, engine: self, early: true)
            }
            do {
                try await self.startContainer(id, of: environment, client: client)
                var hostPorts = network.holder?.hostPorts ?? [:]
                for (port, hostPort) in hostPorts { details["port.\(port)"] = String(hostPort) }
                if !container.ports.isEmpty {
                    let inspect = try await client.inspectContainer(id)
                    for port in spec.ports {
                        if let hostPort = inspect.hostPorts(for: port).first {
                            hostPorts[port] = hostPort
                            details["port.\(port)"] = String(hostPort)
                        }
                    }
                }
                try await self.writeSecretFiles(id, spec: spec, client: client)
                // Before the readiness checks, which may use what it installs.
                if let packageSources { try await self.installAtCreation(id, spec: spec, sources: packageSources, client: client) }
                try await self.waitUntilReady(id, spec: spec, hostPorts: hostPorts, client: client)
            } catch {
                if let standbyKey { await standby.abandon(standbyKey) }
                await self.removeResources(of: environment, container: id, network: network, client: client)
                throw error
            }
            if let standbyKey { await standby.refill(standbyKey, labels: standbyLabels, engine: self) }
            return EngineArtifact(location: id, details: details)
        }
    }

    /// The container's command: the spec's when it gives one, in either mode. Otherwise a sandbox
    /// idles on `sleep` (commands arrive through exec) unless the spec replaces the entrypoint,
    /// and a service keeps the image's CMD, as `docker run` does.
    static func containerCommand(of spec: EnvironmentSpec) -> [String]? {
        if let command = spec.command { return command }
        return spec.effectiveMode == .sandbox && spec.entrypoint == nil ? ["sleep", "2147483647"] : nil
    }

    /// The network the spec asks for; without one, published ports and an install from a package
    /// index get a private network, and everything else none.
    static func networkRequest(of spec: EnvironmentSpec) -> String? {
        spec.network ?? (spec.ports.isEmpty && !spec.installsFromIndex ? nil : "isolated")
    }

    /// Undoes a creation that failed half-way; what cannot be removed now is left to cleanup, which finds it by label.
    private func removeResources(of environment: Environment, container: String?, network: NetworkChoice, client: DockerClient) async {
        if let container { try? await client.removeContainer(container, force: true, removeVolumes: true) }
        if let owned = network.owned { try? await releaseNetwork(owned, client: client) }
        if let holder = network.holder { try? await releaseHolder(holder.id, network: holder.network, client: client) }
        if network.onHeldNetwork { await leaveHeldNetwork(network.mode) }
        try? await removeVolumes(of: environment, client: client)
    }

    /// `nil`/`none`: no network. `isolated`: a private network of this environment.
    /// Anything else: a shared network of that name (created, labelled, when missing; removed with its last user).
    /// A pooled private network may come with a ``NetworkHolder`` for `container` to join.
    private func prepareNetwork(_ request: String?, for container: ContainerSpec, environment: Environment, client: DockerClient)
        async throws -> NetworkChoice
    {
        switch request {
        case nil, "none":
            return NetworkChoice(mode: "none")
        case "isolated":
            if usesNetworkPool(environment) {
                // The held network is the pool's, not the environment's.
                switch try await pooledNetwork(
                    for: container, labels: Self.standbyLabels(for: environment), startingHolder: false, client: client)
                {
                case .holder(let holder): return NetworkChoice(mode: holder.network, holder: holder)
                case .heldNetwork(let name): return NetworkChoice(mode: name, onHeldNetwork: true)
                case .privateNetwork(let name): return NetworkChoice(mode: name, owned: name)
                }
            }
            let name = "ptest-iso-\(environment.id)"
            try await createNetwork(name, labels: environment.labels, client: client)
            return NetworkChoice(mode: name, owned: name)
        case let shared?:
            try await ensureSharedNetwork(shared, environment: environment, client: client)
            return NetworkChoice(mode: shared)
        }
    }

    public func run(_ environment: Environment, _ command: Command, output: CommandOutputSink) async throws -> CommandExit {
        guard !command.argv.isEmpty else { throw IsolationError(.invalidSpec, field: "argv", "empty; give the program and its arguments") }
        var options = ExecOptions(command.argv)
        options.environment = command.environment
        if let directory = command.workingDirectory {
            options.workingDirectory = directory.hasPrefix("/") ? directory : "\(Self.workDirectory(of: environment.spec))/\(directory)"
        }
        options.stdin = command.stdin
        options.timeout = command.timeoutSeconds.map { .milliseconds(Int64($0 * 1000)) }
        let exit = try await withClient { client in
            // Always the killable exec: a cancelled run must not leave its command behind in the container.
            try await client.execStreaming(environment.location, options) { chunk in
                switch chunk.stream {
                case .stderr: try await output.stderr(chunk.data)
                case .stdout, .stdin: try await output.stdout(chunk.data)
                }
            }
        }
        return CommandExit(exitCode: Int32(clamping: exit.exitCode), durationSeconds: exit.duration.seconds, timedOut: exit.timedOut)
    }

    public func destroy(_ environment: Environment) async throws {
        let holder = environment.details[Self.holderDetail]
        if let holder { await networks.returningHolder(holder) }
        do {
            try await destroyResources(environment)
        } catch {
            if let holder { await networks.notReturning(holder) }
            throw error
        }
    }

    private func destroyResources(_ environment: Environment) async throws {
        try await withClient { client in
            try await self.removeContainers(of: environment, client: client)
            try await self.removeOwnedNetworks(of: environment, client: client)
            if let shared = Self.sharedNetwork(of: environment.spec) {
                try await self.removeSharedNetworkIfUnused(shared, client: client)
            }
            // Found by label, so the volumes of a creation that failed before recording anything go too.
            try await self.removeVolumes(of: environment, client: client)
        }
    }
}

/// Where an environment's container goes (``DockerEngine/prepareNetwork``): its network mode,
/// and what of it is the environment's to give back when it goes.
struct NetworkChoice: Sendable {
    var mode: String
    /// A private network of its own.
    var owned: String? = nil
    /// The holder whose namespace it joins.
    var holder: NetworkHolder? = nil
    /// On the held network `mode` with an endpoint of its own.
    var onHeldNetwork = false
}
