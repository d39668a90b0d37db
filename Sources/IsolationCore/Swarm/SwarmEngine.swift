import DockerAPI
public import Foundation
import Synchronization

/// Environments as Docker Swarm services: one replica, never restarted, placed by the swarm's
/// scheduler (decision 0010). What runs in an environment (exec, files, logs, stats) is its
/// node's Docker engine's work (``DockerDelegatingEngine``). The manager's API creates and removes services, secrets and
/// overlay networks; what runs in an environment — exec, files, logs, stats, readiness — goes
/// to its task's container through that node's own daemon, by the Docker engine itself: the
/// swarm engine holds one ``DockerEngine`` per endpoint and hands it the environment, whose
/// location is the container on that node.
public final class SwarmEngine: DockerDelegatingEngine {
    public let kind = EngineKind.swarm
    public let capabilities: Set<EngineCapability> = [.resourceLimits, .networks, .containerImages, .files, .secrets, .placement]
    public let priority = 40

    public let settings: SwarmSettings
    /// The manager's daemon: services, tasks, nodes, secrets, networks, and the images that
    /// are handed to the nodes.
    let manager: DockerEngine
    private let nodeEngines = Mutex<[String: DockerEngine]>([:])
    /// `image id@endpoint` pairs known to be there, so a second environment of an image asks no node.
    private let imagesOnNodes = Mutex<Set<String>>([])

    public init(settings: SwarmSettings, home: URL) {
        self.settings = settings
        self.manager = DockerEngine(
            environment: settings.clientEnvironment(settings.manager),
            images: ImageManager(home: home, maxBytes: ImageManager.defaultMaxBytes))
    }

    /// The Docker engine of the daemon at `endpoint` (a node's own), made once.
    func engine(at endpoint: String) -> DockerEngine {
        nodeEngines.withLock { engines in
            if let engine = engines[endpoint] { return engine }
            let engine = DockerEngine(environment: settings.clientEnvironment(endpoint), images: manager.images)
            engines[endpoint] = engine
            return engine
        }
    }

    func knownOnNode(_ image: String, _ endpoint: String) -> Bool {
        imagesOnNodes.withLock { $0.contains("\(image)@\(endpoint)") }
    }

    func markOnNode(_ image: String, _ endpoint: String) {
        _ = imagesOnNodes.withLock { $0.insert("\(image)@\(endpoint)") }
    }

    public func unavailableReason() async -> String? {
        do {
            let info = try await manager.withClient { try await $0.info() }
            guard info.swarm?.localNodeState == "active" else {
                return "the daemon at \(settings.manager) is not part of a swarm (state \(info.swarm?.localNodeState ?? "unknown")); "
                    + "run `docker swarm init` there or fix swarm.manager"
            }
            _ = try await manager.withClient { try await $0.listNodes() }
            return nil
        } catch let error as IsolationError {
            return "swarm manager \(settings.manager): \(error.message)"
        } catch {
            return "swarm manager \(settings.manager): \(error)"
        }
    }

    /// Closes the connections to the manager and every node.
    func shutdownClients() async {
        await manager.shutdownClient()
        for engine in nodeEngines.withLock({ Array($0.values) }) { await engine.shutdownClient() }
    }

    public func install(_ environment: Environment, _ request: PackageRequest) async throws -> CommandResult {
        throw unsupported(.packages)
    }

    public func installedPackages(_ environment: Environment) async throws -> [InstalledPackage] {
        throw unsupported(.packages)
    }

    public func uninstall(_ environment: Environment, _ names: [String]) async throws -> CommandResult {
        throw unsupported(.packages)
    }

    public func snapshot(_ environment: Environment, as snapshot: Snapshot) async throws -> EngineArtifact {
        throw unsupported(.snapshots)
    }

    public func restore(_ snapshot: Snapshot, into environment: Environment) async throws -> EngineArtifact {
        throw unsupported(.snapshots)
    }

    public func deleteSnapshot(_ snapshot: Snapshot) async throws {
        throw unsupported(.snapshots)
    }

    public func exportSnapshot(_ snapshot: Snapshot, to file: URL) async throws {
        throw unsupported(.snapshots)
    }

    public func importSnapshot(from file: URL, as snapshot: Snapshot) async throws -> EngineArtifact {
        throw unsupported(.snapshots)
    }

    /// Runs `body` with the Docker engine of the environment's node. A node that does not answer
    /// makes the environment lost: the error says so at once, naming the node, rather than waiting.
    func onDocker<T>(_ environment: Environment, _ body: (DockerEngine) async throws -> T) async throws -> T {
        guard let endpoint = environment.details[SwarmDetails.nodeEndpoint] else {
            throw IsolationError(.notFound, "environment \(environment.id) has no node recorded; it was never started on the swarm")
        }
        do {
            return try await body(engine(at: endpoint))
        } catch let error as IsolationError where error.code == .daemonUnavailable {
            throw IsolationError(
                .daemonUnavailable,
                "environment \(environment.id) is lost: its node \(environment.details[SwarmDetails.node] ?? endpoint) does not answer "
                    + "(\(error.message)); destroy it and create another, which the swarm places on a live node")
        } catch let error as IsolationError
            where (error.code == .notFound || error.message.contains("is not running")) && error.message.contains(environment.location)
        {
            // The node answers but the task's container is stopped or gone: the node was drained
            // (the swarm shut the task down) or the task ended.
            throw IsolationError(
                .daemonUnavailable,
                "environment \(environment.id) is lost: its container is stopped or gone on node \(environment.details[SwarmDetails.node] ?? endpoint) "
                    + "(drained, or the task ended); destroy it and create another")
        }
    }
}

/// The keys of an environment's details that the swarm engine records.
enum SwarmDetails {
    static let node = "node"
    static let nodeID = "node.id"
    static let nodeEndpoint = "node.endpoint"
    static let service = "service"
    static let serviceID = "service.id"
    static let ownedNetwork = "owned_network"
    static let sharedNetwork = "shared_network"
}
