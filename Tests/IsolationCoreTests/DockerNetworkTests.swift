import DockerAPI
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import IsolationCore

/// Shared networks' lifetime and the subnets of the networks the engine makes.
@Suite struct DockerNetworkTests {
    static let busybox = "ptest-iso-test/busybox:latest"

    func manager(_ home: borrowing TestHome) throws -> IsolationManager {
        try IsolationManager(
            configuration: .init(home: home.url, session: "docker-network-tests-\(UUID().uuidString.prefix(6))"), engines: [DockerEngine()])
    }

    func network(_ name: String) async throws -> NetworkInspect? {
        try await withDockerClient(try .fromEnvironment()) { try? await $0.inspectNetwork(name) }
    }

    /// Pings `host` once from the environment, retrying while the peer's address settles (bounded).
    func ping(_ manager: IsolationManager, from id: String, _ host: String) async throws -> Int32 {
        var exit: Int32 = 1
        for _ in 0..<5 {
            exit = try await manager.run(id, Command(["ping", "-c1", "-W2", host])).exitCode
            if exit == 0 { break }
        }
        return exit
    }

    @Test func peersOnASharedNetworkReachEachOtherByAliasAndTheNetworkGoesWithItsLastUser() async throws {
        let home = try TestHome("docker-shared-net")
        let manager = try manager(home)
        let shared = "ptest-iso-test-shared-\(UUID().uuidString.prefix(6).lowercased())"
        let alpha = try await manager.create(EnvironmentSpec(name: "alpha", image: Self.busybox, network: shared))
        let beta = try await manager.create(EnvironmentSpec(name: "beta", image: Self.busybox, network: shared))
        let loner = try await manager.create(EnvironmentSpec(name: "loner", image: Self.busybox, network: "isolated"))
        #expect(try await ping(manager, from: beta.id, "alpha") == 0)
        #expect(try await ping(manager, from: alpha.id, "beta") == 0)
        #expect(try await manager.run(loner.id, Command(["ping", "-c1", "-W2", "alpha"])).exitCode != 0)

        try await manager.destroy(alpha.id)
        #expect(try await network(shared) != nil, "beta still uses it")
        try await manager.destroy(beta.id)
        #expect(try await network(shared) == nil)
        try await manager.destroy(loner.id)
    }

    @Test func theNetworksTheEngineMakesOverlapNoOtherNetwork() async throws {
        let home = try TestHome("docker-subnets")
        let manager = try manager(home)
        let shared = "ptest-iso-test-subnet-\(UUID().uuidString.prefix(6).lowercased())"
        let environments = try await withThrowingTaskGroup(of: Environment.self) { group in
            // In parallel, so several creations choose subnets at the same moment.
            for index in 0..<4 {
                group.addTask { try await manager.create(EnvironmentSpec(image: Self.busybox, network: index == 0 ? shared : "isolated")) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let ours = Set(environments.map { $0.details["network"] ?? "" })
        #expect(ours.count == 4)
        let networks = try await withDockerClient(try .fromEnvironment()) { try await $0.listNetworks() }
        func subnets(_ network: NetworkInspect) -> [String] {
            (network.ipam?.config ?? []).compactMap(\.subnet).filter { $0.contains(".") }
        }
        for mine in networks where ours.contains(mine.name) {
            let subnet = try #require(subnets(mine).first)
            #expect(subnet.hasPrefix("10.213."), "\(mine.name): \(subnet)")
            for other in networks where other.id != mine.id {
                #expect(!subnets(other).contains { Self.overlap($0, subnet) }, "\(mine.name) \(subnet) overlaps \(other.name)")
            }
        }
        try await manager.destroySession()
        #expect(try await network(shared) == nil)
    }

    @Test func aJoinerRacingTheLastUsersDestroyStillGetsItsNetwork() async throws {
        let home = try TestHome("docker-net-race")
        let manager = try manager(home)
        let shared = "ptest-iso-test-race-\(UUID().uuidString.prefix(6).lowercased())"
        var last = try await manager.create(EnvironmentSpec(image: Self.busybox, network: shared))
        for _ in 0..<4 {
            let leaving = last.id
            async let joined = manager.create(EnvironmentSpec(image: Self.busybox, network: shared))
            try await manager.destroy(leaving)
            last = try await joined
            #expect(try await manager.run(last.id, Command(["true"])).exitCode == 0)
            #expect(try await network(shared) != nil)
        }
        try await manager.destroy(last.id)
        #expect(try await network(shared) == nil)
    }

    /// The daemon's ways of saying a joiner's network is gone, and what is not that.
    @Test func aLostNetworkIsRecognisedByNameOrById() {
        let spec = EnvironmentSpec(image: Self.busybox, network: "team-net")
        let id = String(repeating: "e265c9dc", count: 8)
        for message in ["network team-net not found", "network \(id) not found", "No such network: team-net"] {
            #expect(DockerEngine.lostSharedNetwork(DockerError(.notFound, message), spec), "\(message)")
        }
        #expect(!DockerEngine.lostSharedNetwork(DockerError(.notFound, "No such image: busybox"), spec))
        #expect(!DockerEngine.lostSharedNetwork(DockerError(.notFound, "network other-net not found"), spec))
        #expect(!DockerEngine.lostSharedNetwork(DockerError(.conflict, "network \(id) not found"), spec))
        #expect(!DockerEngine.lostSharedNetwork(DockerError(.notFound, "network \(id) not found"), EnvironmentSpec(image: Self.busybox)))
    }

    @Test func aJoinerWhoseNetworkIsRemovedUnderItRecreatesItOnce() async throws {
        let home = try TestHome("docker-net-removed")
        let manager = try manager(home)
        let shared = "ptest-iso-test-gone-\(UUID().uuidString.prefix(6).lowercased())"
        let prepared = Mutex(0)
        // The first time the network is ready, it is removed, as the last user's destroy in another process would.
        let environment = try await DockerEngine.$sharedNetworkReady.withValue({ name in
            guard
                prepared.withLock({
                    $0 += 1; return $0 == 1
                })
            else { return }
            try? await withDockerClient(try .fromEnvironment()) { try await $0.removeNetwork(name) }
        }) {
            try await manager.create(EnvironmentSpec(image: Self.busybox, network: shared))
        }
        #expect(prepared.withLock { $0 } == 2, "the network was prepared again")
        #expect(try await manager.run(environment.id, Command(["true"])).exitCode == 0)
        #expect(try await network(shared)?.labels?["ptest-iso.shared-network"] == "true")
        try await manager.destroy(environment.id)
        #expect(try await network(shared) == nil)
    }

    /// Whether two `a.b.c.d/n` subnets share an address.
    static func overlap(_ a: String, _ b: String) -> Bool {
        func parse(_ text: String) -> (UInt32, Int) {
            let parts = text.split(separator: "/")
            let address = parts[0].split(separator: ".").compactMap { UInt32($0) }.reduce(0) { $0 << 8 | $1 }
            return (address, Int(parts[1]) ?? 32)
        }
        let (x, m) = parse(a)
        let (y, n) = parse(b)
        let length = min(m, n)
        let mask: UInt32 = length == 0 ? 0 : ~0 << (32 - length)
        return x & mask == y & mask
    }
}
