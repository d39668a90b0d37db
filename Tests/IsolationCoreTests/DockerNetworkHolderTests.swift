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
            for environment in live {
                let container = try await inspect(environment.location)
                let mode = try #require(container.hostConfig.networkMode)
                #expect(mode.hasPrefix("container:"), "\(mode)")
                #expect(joined.updateValue(environment.id, forKey: mode) == nil, "two live environments share \(mode)")
                #expect(container.state.running)
                // The reported port reaches this environment's own service, no other.
                #expect(Self.get(environment.details["port.8080"]) == (try await token(manager, environment)))
                seen.insert(environment.location)
            }
            await manager.waitForBackgroundWork()
            try await manager.destroy(live.removeFirst().id)
        }
        #expect(seen.count == 5)
        // The namespace keeps no TIME_WAIT sockets that could hold the next service's port.
        let buckets = try await manager.run(live[0].id, Command(["cat", "/proc/sys/net/ipv4/tcp_max_tw_buckets"]))
        #expect(buckets.stdoutText == "0\n")
        // Networks (and their holders) served several environments: fewer than the five made.
        let held = try await holders(session)
        #expect(!held.isEmpty && held.count < 5, "\(held.count) holders")

        try await manager.destroy(live[0].id)
        await manager.shutdown()
        #expect(try await holders(session).isEmpty)
        #expect(try await networks(session).isEmpty)
    }

    @Test func anotherProcessDestroyingTheEnvironmentRemovesItsNetworkAndHolder() async throws {
        let home = try TestHome("holder-other")
        let session = "holder-other-\(UUID().uuidString.prefix(8))"
        let owner = try manager(home, session: session)
        let environment = try await owner.create(serviceSpec())
        let network = try #require(environment.details["owned_network"])
        await owner.waitForBackgroundWork()

        // A CLI's destroy: its engine never lent the network, so it removes it, holder first.
        let other = try manager(home, session: session, depth: 0)
        try await other.destroy(environment.id)
        let left = try await withDockerClient(try .fromEnvironment()) {
            (try await $0.listContainers(all: true, filters: ["network": [network]]), try? await $0.inspectNetwork(network))
        }
        #expect(left.0.isEmpty)
        #expect(left.1 == nil)
        await other.shutdown()
        await owner.shutdown()
        #expect(try await holders(session).isEmpty)
        #expect(try await networks(session).isEmpty)
    }

    @Test func aHolderThatDiedIsReplacedAndTheServiceStillStarts() async throws {
        let home = try TestHome("holder-died")
        let session = "holder-died-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        let first = try await manager.create(serviceSpec())
        await manager.waitForBackgroundWork()
        try await manager.destroy(first.id)
        // Both holders go: the idle network's and the one the standby joined, which is then
        // left without a network and must not be handed out.
        let idle = try await holders(session)
        #expect(idle.count == 2)
        try await withDockerClient(try .fromEnvironment()) { client in
            for holder in idle { try await client.removeContainer(holder.id, force: true) }
        }

        let second = try await manager.create(serviceSpec())
        #expect(second.details["standby"] == nil)
        let mode = try #require(try await inspect(second.location).hostConfig.networkMode)
        #expect(mode.hasPrefix("container:") && !idle.contains { mode == "container:\($0.id)" }, "\(mode)")
        #expect(Self.get(second.details["port.8080"]) == (try await token(manager, second)))
        try await manager.destroy(second.id)
        await manager.shutdown()
        #expect(try await holders(session).isEmpty)
        #expect(try await networks(session).isEmpty)
    }

    @Test func anImageWithoutSleepJoinsItsNetworkItself() async throws {
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
            let network = try #require(environment.details["owned_network"])
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
