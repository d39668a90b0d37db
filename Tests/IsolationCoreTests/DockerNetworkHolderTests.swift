import DockerAPI
import Foundation
import TestSupport
import Testing

@testable import IsolationCore

/// Network holders: a pooled private network's namespace kept by a container of its own, which
/// the services of that network join one at a time (decision 0022).
@Suite struct DockerNetworkHolderTests {
    static let busybox = "ptest-iso-test/busybox:latest"
    /// Each container serves a token of its own, so a port that reached another container shows.
    static let service = [
        "sh", "-c", "mkdir -p /www && echo \"$$-$RANDOM-$RANDOM\" > /www/index.html && exec httpd -f -p 8080 -h /www",
    ]

    func manager(_ home: borrowing TestHome, session: String, depth: Int = 1) throws -> IsolationManager {
        var configuration = IsolationManager.Configuration(home: home.url, session: session)
        configuration.dockerStandbyDepth = depth
        return try IsolationManager(configuration: configuration, engines: [DockerEngine(standbyDepth: depth)])
    }

    func serviceSpec(_ image: String = Self.busybox) -> EnvironmentSpec {
        EnvironmentSpec(image: image, ports: [8080], command: Self.service, waitFor: [.http(.init(port: 8080))], mode: .service)
    }

    func holders(_ session: String) async throws -> [ContainerSummary] {
        try await withDockerClient(try .fromEnvironment()) {
            try await $0.listContainers(all: true, filters: ["label": ["ptest-iso.session=\(session)", "ptest-iso.network-holder=true"]])
        }
    }

    func networks(_ session: String) async throws -> [String] {
        try await withDockerClient(try .fromEnvironment()) {
            try await $0.listNetworks(filters: ["label": ["ptest-iso.session=\(session)"]]).map(\.name)
        }
    }

    func inspect(_ id: String) async throws -> ContainerInspect {
        try await withDockerClient(try .fromEnvironment()) { try await $0.inspectContainer(id) }
    }

    static func get(_ port: String?) -> String? {
        guard let port else { return nil }
        return (try? Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/")!)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Two environments: the first on the held network itself (no holder was idle), the second
    /// taking the standby the first started, in that standby's holder.
    func directThenHeld(_ manager: IsolationManager) async throws -> (direct: Environment, held: Environment) {
        let direct = try await manager.create(serviceSpec())
        #expect(direct.details["network_holder"] == nil)
        await manager.waitForBackgroundWork()
        let held = try await manager.create(serviceSpec())
        #expect(held.details["standby"] == "true" && held.details["network_holder"] != nil)
        await manager.waitForBackgroundWork()
        return (direct, held)
    }

    /// What the environment's own container serves, read inside it.
    func token(_ manager: IsolationManager, _ environment: Environment) async throws -> String {
        try await manager.run(environment.id, Command(["cat", "/www/index.html"])).stdoutText
    }

    @Test func servicesOfASpecAreFreshContainersInHeldNamespacesNeverTwoInOne() async throws {
        let home = try TestHome("holder")
        let session = "holder-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        var live: [Environment] = []
        var seen: Set<String> = []
        for round in 0..<4 {
            // Two at once, then the older one goes: a held namespace serves one environment at a
            // time, and the next environment in it is a fresh container.
            live.append(try await manager.create(serviceSpec()))
            if round == 0 { live.append(try await manager.create(serviceSpec())) }
            var joined: [String: String] = [:]
            if round == 0 {
                try await expectUnreachable(live[1], from: live[0], manager)
                try await expectUnreachable(live[0], from: live[1], manager)
            }
            for environment in live {
                let container = try await inspect(environment.location)
                let mode = try #require(container.hostConfig.networkMode)
                let network = try #require(environment.details["network"])
                // A holder's namespace, or (no holder idle) an endpoint of its own on the held network.
                if let holder = environment.details["network_holder"] {
                    #expect(mode == "container:\(holder)")
                    #expect(joined.updateValue(environment.id, forKey: mode) == nil, "two live environments share \(mode)")
                } else {
                    #expect(mode == network)
                }
                #expect(container.state.running)
                // The reported port reaches this environment's own service, no other.
                #expect(Self.get(environment.details["port.8080"]) == (try await token(manager, environment)))
                seen.insert(environment.location)
            }
            await manager.waitForBackgroundWork()
            try await manager.destroy(live.removeFirst().id)
        }
        #expect(seen.count == 5)
        // The environments after the first took the holders their standbys had started.
        #expect(live[0].details["network_holder"] != nil)
        // The namespace keeps no TIME_WAIT sockets that could hold the next service's port.
        let buckets = try await manager.run(live[0].id, Command(["cat", "/proc/sys/net/ipv4/tcp_max_tw_buckets"]))
        #expect(buckets.stdoutText == "0\n")
        // Holders served several environments: fewer than the five made, all on one network.
        let held = try await holders(session)
        #expect(!held.isEmpty && held.count < 5, "\(held.count) holders")
        #expect(try await networks(session).count == 1)
        #expect(live[0].details["owned_network"] == nil)

        try await manager.destroy(live[0].id)
        await manager.shutdown()
        #expect(try await holders(session).isEmpty)
        #expect(try await networks(session).isEmpty)
    }

    /// `target`'s service cannot be reached from `source`'s namespace, though both are on the
    /// same held network; the host reaches it (the check's own control).
    func expectUnreachable(_ target: Environment, from source: Environment, _ manager: IsolationManager) async throws {
        let network = try #require(target.details["network"])
        #expect(source.details["network"] == network)
        let endpoint = target.details["network_holder"] ?? target.location
        let address = try #require(try await inspect(endpoint).networkSettings.networks?[network]?.ipAddress)
        let fromHost = try? Data(contentsOf: URL(string: "http://\(address):8080/")!)
        #expect(fromHost.map { String(decoding: $0, as: UTF8.self) } == (try await token(manager, target)))
        let probe = try await manager.run(source.id, Command(["nc", "-w", "2", address, "8080"], stdin: Data()))
        #expect(probe.exitCode != 0, "\(probe.stdoutText)")
    }

    @Test func anotherProcessDestroyingTheEnvironmentRemovesItsHolderAndTheOwnerTheNetwork() async throws {
        let home = try TestHome("holder-other")
        let session = "holder-other-\(UUID().uuidString.prefix(8))"
        let owner = try manager(home, session: session)
        let (first, environment) = try await directThenHeld(owner)
        let holder = try #require(environment.details["network_holder"])
        let network = try #require(environment.details["network"])

        // A CLI's destroy: its engine never lent the holder, so it removes it; the held network
        // is the owner's, which other environments of the session use.
        let other = try manager(home, session: session, depth: 0)
        for made in [environment, first] { try await other.destroy(made.id) }
        let left = try await withDockerClient(try .fromEnvironment()) { client in
            try await client.listContainers(all: true, filters: ["network": [network]]).map(\.id)
        }
        #expect(!left.contains(holder) && !left.contains(environment.location) && !left.contains(first.location))
        #expect(try await networks(session) == [network])
        await other.shutdown()
        await owner.shutdown()
        #expect(try await holders(session).isEmpty)
        #expect(try await networks(session).isEmpty)
    }

    @Test func holdersThatDiedAreNeitherJoinedNorHandedOutWithAStandby() async throws {
        let home = try TestHome("holder-died")
        let session = "holder-died-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        let (first, second) = try await directThenHeld(manager)
        // Its holder goes back idle; the next standby is in another.
        try await manager.destroy(second.id)
        let dead = try await holders(session)
        #expect(dead.count == 2)
        try await withDockerClient(try .fromEnvironment()) { client in
            for holder in dead { try await client.removeContainer(holder.id, force: true) }
        }

        // The standby lost its network with its holder, and the idle holder is gone: the next
        // environment starts its own, on the held network, and is reached.
        let third = try await manager.create(serviceSpec())
        #expect(third.details["standby"] == nil && third.details["network_holder"] == nil)
        #expect(try await inspect(third.location).hostConfig.networkMode == third.details["network"])
        #expect(Self.get(third.details["port.8080"]) == (try await token(manager, third)))
        for environment in [first, third] { try await manager.destroy(environment.id) }
        await manager.shutdown()
        #expect(try await holders(session).isEmpty)
        #expect(try await networks(session).isEmpty)
    }

    @Test func anImageWithoutSleepJoinsTheHeldNetworkItself() async throws {
        let home = try TestHome("holder-nosleep")
        let session = "holder-nosleep-\(UUID().uuidString.prefix(8))"
        let context = home.url.appendingPathComponent("nosleep")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try "FROM \(Self.busybox)\nRUN rm /bin/sleep\n".write(
            to: context.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
        let manager = try manager(home, session: session)
        var spec = serviceSpec(Self.busybox)
        spec.image = nil
        spec.build = BuildSpec(context: context.path)
        for _ in 0..<2 {
            let environment = try await manager.create(spec)
            let network = try #require(environment.details["network"])
            #expect(environment.details["owned_network"] == nil && environment.details["network_holder"] == nil)
            #expect(try await inspect(environment.location).hostConfig.networkMode == network)
            #expect(Self.get(environment.details["port.8080"]) == (try await token(manager, environment)))
            await manager.waitForBackgroundWork()
            try await manager.destroy(environment.id)
        }
        #expect(try await holders(session).isEmpty)
        await manager.shutdown()
        #expect(try await networks(session).isEmpty)
    }

    @Test func onlyContainersThatCannotChangeTheNamespaceJoinAHolder() {
        var container = ContainerSpec(image: Self.busybox)
        #expect(DockerEngine.joinsHolder(container))
        container.security.capAdd = ["SYS_PTRACE"]
        #expect(DockerEngine.joinsHolder(container))
        for change: (inout ContainerSpec) -> Void in [
            { $0.security.privileged = true }, { $0.security.capAdd = ["net_admin"] }, { $0.security.capAdd = ["ALL"] },
            { $0.sysctls = ["net.core.somaxconn": "1024"] }, { $0.extraHosts = ["db:10.0.0.1"] }, { $0.hostname = "db" },
        ] {
            var changed = ContainerSpec(image: Self.busybox)
            change(&changed)
            #expect(!DockerEngine.joinsHolder(changed))
        }
    }
}

extension DockerNetworkHolderTests {
    @Test func stopStandbysAfterNKeepsNoMoreIdleHoldersThanTheEnvironmentsNoStandbyServesCanTake() async throws {
        let home = try TestHome("holder-stop")
        let session = "holder-stop-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        var made: [Environment] = []
        for _ in 0..<3 { made.append(try await manager.create(serviceSpec())) }
        await manager.waitForBackgroundWork()
        // Their holders go back to the pool, idle; the standby left is in one of its own.
        // The first was on the held network itself; the two after took the standbys' holders.
        for environment in made { try await manager.destroy(environment.id) }
        #expect(try await holders(session).count == 2 + 1)
        #expect(try await networks(session).count == 1)

        // Of two environments to come, the standby serves one: the other takes one idle holder
        // at most, and the other goes now; at 1, none is kept.
        try await manager.stopStandbys(after: 2)
        await manager.waitForBackgroundWork()
        #expect(try await holders(session).count == 1 + 1)
        try await manager.stopStandbys(after: 1)
        await manager.waitForBackgroundWork()
        #expect(try await holders(session).count == 0 + 1)

        // At 0 the pool keeps nothing: the standby is taken, and its holder goes with it once
        // destroyed, and the held network with its last holder, while the manager is open.
        try await manager.stopStandbys()
        let last = try await manager.create(serviceSpec())
        #expect(last.details["standby"] == "true")
        #expect(Self.get(last.details["port.8080"]) == (try await token(manager, last)))
        try await manager.destroy(last.id)
        await manager.waitForBackgroundWork()
        #expect(try await holders(session).isEmpty)
        #expect(try await networks(session).isEmpty)
        await manager.shutdown()
    }
}

extension DockerNetworkHolderTests {
    @Test func aContainerOnTheHeldNetworkItselfKeepsItUntilItGoes() async throws {
        let home = try TestHome("holder-direct")
        let session = "holder-direct-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        // The first environment is on the held network with an endpoint of its own; its
        // standby starts the network's first holder.
        let direct = try await manager.create(serviceSpec())
        #expect(direct.details["network_holder"] == nil)
        let network = try #require(direct.details["network"])
        await manager.waitForBackgroundWork()

        // Stopped, the pool keeps nothing: the holder goes with the environment that took the
        // standby, but the network stays while the first environment is on it, and serves it.
        try await manager.stopStandbys()
        let held = try await manager.create(serviceSpec())
        #expect(held.details["network_holder"] != nil)
        try await manager.destroy(held.id)
        #expect(try await holders(session).isEmpty)
        #expect(try await networks(session) == [network])
        #expect(Self.get(direct.details["port.8080"]) == (try await token(manager, direct)))

        // It goes with its last container, while the manager is still open.
        try await manager.destroy(direct.id)
        await manager.waitForBackgroundWork()
        #expect(try await networks(session).isEmpty)
        await manager.shutdown()
    }
}
