import DockerAPI
import Foundation

/// The networks the engine makes: a private one per environment (`isolated`) and shared
/// ones by name, each on a subnet of its own, and shared ones removed with their last user.
extension DockerEngine {
    /// 256 /24s in a range Docker's default pools (172.17–31.0.0/16, 192.168.0.0/16 in /20s) do not use,
    /// so a network of ours never takes the subnet a later `docker network create` would get.
    static let subnetPool = IPv4Subnet("10.213.0.0/16")!.split(into: 24)
    /// How many subnets one creation tries when other processes take them first.
    static let subnetAttempts = 8

    /// Creates a network on a subnet that overlaps no existing network's and no host route.
    ///
    /// Processes creating networks at the same moment may choose the same subnet; the daemon
    /// refuses all but one ("Pool overlaps"), and the others try the next free subnet.
    ///
    /// - Throws: `conflict` (as a `DockerError`) when the name is taken; `capacityExceeded` when the pool is full.
    func createNetwork(
        _ name: String, labels: [String: String], internal: Bool = false, options: [String: String] = [:], client: DockerClient
    ) async throws {
        var tried: [IPv4Subnet] = []
        // Starting at a random place makes two processes less likely to collide at all.
        let start = Int.random(in: 0..<Self.subnetPool.count)
        for _ in 0..<Self.subnetAttempts {
            let taken = try await usedSubnets(client) + tried
            let ordered = Self.subnetPool[start...] + Self.subnetPool[..<start]
            guard let subnet = ordered.first(where: { candidate in !taken.contains { $0.overlaps(candidate) } }) else {
                throw IsolationError(
                    .capacityExceeded,
                    "network \(name): every /24 of 10.213.0.0/16 overlaps a Docker network or a host route; remove unused networks (`ptest-iso cleanup`)"
                )
            }
            tried.append(subnet)
            do {
                try await client.createNetwork(
                    NetworkSpec(name: name, isInternal: `internal`, labels: labels, subnet: subnet.description, options: options))
                return
            } catch let error as DockerError where error.message.lowercased().contains("overlaps") {
                continue
            }
        }
        throw IsolationError(
            .ioFailure, "network \(name): \(Self.subnetAttempts) subnets were taken by others while this process tried them; try again")
    }

    /// The subnets of every Docker network and every host route.
    func usedSubnets(_ client: DockerClient) async throws -> [IPv4Subnet] {
        let networks = try await client.listNetworks()
        let docker = networks.flatMap { $0.ipam?.config ?? [] }.compactMap { $0.subnet.flatMap(IPv4Subnet.init) }
        let routes = (try? String(contentsOfFile: "/proc/net/route", encoding: .utf8)).map(IPv4Subnet.hostRoutes) ?? []
        return docker + routes
    }

    /// Called with the shared network's name once it is known to exist, before the container joins it.
    /// Tests use it to remove the network at the worst moment, as another process's destroy may.
    @TaskLocal static var sharedNetworkReady: (@Sendable (String) async -> Void)?

    /// Makes sure the shared network `name` exists (labelled as shared, outliving the environment) to join it.
    func ensureSharedNetwork(_ name: String, environment: Environment, client: DockerClient) async throws {
        if (try? await client.inspectNetwork(name)) == nil {
            var labels = ResourceLabels.outliving(environment.labels)
            labels[ResourceLabels.sharedNetwork] = "true"
            do {
                try await createNetwork(name, labels: labels, client: client)
            } catch let error as DockerError where error.code == .conflict {
                // Another environment created it first: join it.
            }
        }
        await Self.sharedNetworkReady?(name)
    }

    /// The shared network a spec joins: a name other than `none` and `isolated`.
    static func sharedNetwork(of spec: EnvironmentSpec) -> String? {
        guard let name = spec.network, name != "none", name != "isolated" else { return nil }
        return name
    }

    /// Removes a shared network ptest-iso made once no container (in any state) is on it.
    ///
    /// Not an error: a network someone else made, one already gone, and one a container joined
    /// between the check and the removal (the daemon refuses; its new user removes it later).
    func removeSharedNetworkIfUnused(_ name: String, client: DockerClient) async throws {
        guard let network = try? await client.inspectNetwork(name), let labels = network.labels,
            labels[ResourceLabels.sharedNetwork] == "true", labels[ResourceLabels.managed] == "true"
        else { return }
        // Created containers count: they have no endpoint yet, but starting them needs the network.
        guard try await client.listContainers(all: true, filters: ["network": [network.id]]).isEmpty else { return }
        do {
            try await client.removeNetwork(network.id)
        } catch let error as DockerError where error.code != .daemonUnreachable && error.code != .timeout {
            // "has active endpoints" (403 or 409 by daemon version) or already removed (404).
        }
    }

    /// Whether a container operation failed because its shared network was removed under it.
    /// The daemon names the network as the request did, or by the id it had resolved the name
    /// to (seen in CI, when a racing destroy removed the network as a joiner was created).
    static func lostSharedNetwork(_ error: any Error, _ spec: EnvironmentSpec) -> Bool {
        guard let error = error as? DockerError, error.code == .notFound, let name = sharedNetwork(of: spec) else { return false }
        let message = error.message.lowercased()
        if message.contains("no such network") || message.contains("network \(name) not found") { return true }
        // "network <64 hex digits> not found"
        let words = message.split(separator: " ")
        return zip(words, words.dropFirst()).contains { $0 == "network" && $1.count == 64 && $1.allSatisfy(\.isHexDigit) }
            && message.contains(" not found")
    }

    /// Creates the container, recreating its shared network once if the last other user
    /// removed it between ``ensureSharedNetwork(_:environment:client:)`` and now.
    func createContainer(_ container: ContainerSpec, of environment: Environment, client: DockerClient) async throws -> String {
        do {
            return try await client.createContainer(container).id
        } catch  where Self.lostSharedNetwork(error, environment.spec) {
            try await ensureSharedNetwork(Self.sharedNetwork(of: environment.spec)!, environment: environment, client: client)
            return try await client.createContainer(container).id
        }
    }

    /// Starts the container, likewise recreating a shared network removed since the container was created
    /// (the daemon resolves the network by name at start).
    func startContainer(_ id: String, of environment: Environment, client: DockerClient) async throws {
        do {
            try await client.startContainer(id)
        } catch  where Self.lostSharedNetwork(error, environment.spec) {
            try await ensureSharedNetwork(Self.sharedNetwork(of: environment.spec)!, environment: environment, client: client)
            try await client.startContainer(id)
        }
    }
}
