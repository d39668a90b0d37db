import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// Standby containers: started ahead of need, taken by the next environment of the same spec.
@Suite struct DockerStandbyTests {
    static let busybox = "ptest-iso-test/busybox:latest"

    func manager(_ home: borrowing TestHome, session: String) throws -> IsolationManager {
        var configuration = IsolationManager.Configuration(home: home.url, session: session)
        configuration.dockerStandbyDepth = 1
        return try IsolationManager(configuration: configuration, engines: [DockerEngine(standbyDepth: 1)])
    }

    func standbys(_ session: String) async throws -> [ContainerSummary] {
        try await withDockerClient(try .fromEnvironment()) {
            try await $0.listContainers(all: true, filters: ["label": ["ptest-iso.session=\(session)", "ptest-iso.standby=true"]])
        }
    }

    @Test func theNextEnvironmentOfASpecTakesTheStandbyAndShutdownRemovesTheRest() async throws {
        let home = try TestHome("standby")
        let session = "standby-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        let spec = EnvironmentSpec(environment: ["MODE": "warm"], image: Self.busybox, resources: ResourceLimits(memory: "64m"))
        let first = try await manager.create(spec)
        #expect(first.details["standby"] == nil)
        await manager.waitForBackgroundWork()
        let waiting = try await standbys(session)
        #expect(waiting.count == 1)

        let second = try await manager.create(spec)
        #expect(second.details["standby"] == "true")
        #expect(second.location == waiting.first?.id)
        // The standby is the spec's container: its variables and limits hold, and commands run.
        let inside = try await manager.run(
            second.id,
            Command([
                "sh", "-c", "echo $MODE; cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes",
            ]))
        #expect(inside.stdoutText == "warm\n\(64 << 20)\n", "\(inside.stderrText)")

        // Another spec does not take it, nor the same spec with another TTL: the standby's
        // expiry label must outlast whoever takes it.
        let other = try await manager.create(EnvironmentSpec(environment: ["MODE": "cold"], image: Self.busybox))
        #expect(other.details["standby"] == nil)
        await manager.waitForBackgroundWork()
        var shortLived = spec
        shortLived.ttlSeconds = 60
        let third = try await manager.create(shortLived)
        #expect(third.details["standby"] == nil)
        try await manager.destroy(third.id)

        for environment in [first, second, other] { try await manager.destroy(environment.id) }
        await manager.shutdown()
        #expect(try await standbys(session).isEmpty)
    }

    @Test func specsThatNeedWorkAfterTheStartOrOutliveTheSessionGetNoStandby() async throws {
        let home = try TestHome("standby-none")
        let session = "standby-none-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        let specs = [
            EnvironmentSpec(cleanup: .keep, image: Self.busybox),
            EnvironmentSpec(image: Self.busybox, network: "ptest-iso-test-standby-shared"),
            EnvironmentSpec(image: Self.busybox, tmpfs: [TmpfsMount(path: "/scratch")]),
        ]
        for spec in specs {
            let environment = try await manager.create(spec)
            try await manager.destroy(environment.id)
        }
        await manager.waitForBackgroundWork()
        #expect(try await standbys(session).isEmpty)
    }

    @Test func aStandbyThatDiedIsNotHandedOut() async throws {
        let home = try TestHome("standby-dead")
        let session = "standby-dead-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        let spec = EnvironmentSpec(image: Self.busybox)
        let first = try await manager.create(spec)
        await manager.waitForBackgroundWork()
        let standby = try #require(try await standbys(session).first)
        try await withDockerClient(try .fromEnvironment()) { try await $0.removeContainer(standby.id, force: true, removeVolumes: true) }

        // The claim starts a replacement at once; if it is up before the dead one has been
        // inspected and removed, it is the one handed out. What must never come is the dead one.
        let second = try await manager.create(spec)
        #expect(second.location != standby.id)
        #expect(try await manager.run(second.id, Command(["true"])).exitCode == 0)
        for environment in [first, second] { try await manager.destroy(environment.id) }
        await manager.shutdown()
        #expect(try await standbys(session).isEmpty)
    }

    @Test func endingItsOwnSessionRemovesTheStandbysAndLaterEnvironmentsGetThemAgain() async throws {
        let home = try TestHome("standby-session-end")
        let session = "standby-end-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        let spec = EnvironmentSpec(image: Self.busybox, network: "isolated")
        let first = try await manager.create(spec)
        await manager.waitForBackgroundWork()
        #expect(try await standbys(session).count == 1)

        #expect(try await manager.destroySession() == [first.id])
        #expect(try await standbys(session).isEmpty)

        // The manager goes on: its next environment of the spec gets a standby again.
        let second = try await manager.create(spec)
        await manager.waitForBackgroundWork()
        #expect(try await standbys(session).count == 1)
        try await manager.destroy(second.id)
        await manager.shutdown()
        #expect(try await standbys(session).isEmpty)
        #expect(try await networks(session).isEmpty)
    }

    @Test func afterStopStandbysAReadyStandbyIsStillTakenAndNoneIsStartedNorANetworkKept() async throws {
        let home = try TestHome("standby-stop")
        let session = "standby-stop-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        // NET_ADMIN: on private networks of their own, not in held namespaces (decision 0023).
        let spec = EnvironmentSpec(image: Self.busybox, network: "isolated", capAdd: ["NET_ADMIN"])
        let first = try await manager.create(spec)
        await manager.waitForBackgroundWork()
        let waiting = try #require(try await standbys(session).first)
        // Its private network goes back to the pool, idle.
        try await manager.destroy(first.id)
        #expect(try await networks(session).count == 2)

        try await manager.stopStandbys()
        let second = try await manager.create(spec)
        #expect(second.location == waiting.id)
        await manager.waitForBackgroundWork()
        // Only the one taken: nothing was started after it, and the idle network is gone.
        #expect(try await standbys(session).map(\.id) == [waiting.id])
        #expect(try await networks(session).count == 1)
        // A network given back now is removed, not kept, while the manager is still open.
        try await manager.destroy(second.id)
        #expect(try await networks(session).isEmpty)
        await manager.shutdown()
        #expect(try await standbys(session).isEmpty)
    }

    @Test func stopStandbysAfterNKeepsNoMoreIdleNetworksThanTheEnvironmentsNoStandbyServesCanTake() async throws {
        let home = try TestHome("standby-networks")
        let session = "standby-networks-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        // NET_ADMIN: on private networks of their own, not in held namespaces (decision 0023).
        let spec = EnvironmentSpec(image: Self.busybox, network: "isolated", capAdd: ["NET_ADMIN"])
        var made: [Environment] = []
        for _ in 0..<3 { made.append(try await manager.create(spec)) }
        await manager.waitForBackgroundWork()
        // Their private networks go back to the pool, idle; the standby left holds its own.
        for environment in made { try await manager.destroy(environment.id) }
        #expect(try await standbys(session).count == 1)
        #expect(try await networks(session).count == 3 + 1)

        // Of three environments to come, the standby serves one (on its own network): the other
        // two take two idle networks at most, and the third goes now.
        try await manager.stopStandbys(after: 3)
        await manager.waitForBackgroundWork()
        #expect(try await networks(session).count == 2 + 1)
        try await manager.stopStandbys(after: 2)
        await manager.waitForBackgroundWork()
        #expect(try await networks(session).count == 1 + 1)
        try await manager.stopStandbys(after: 1)
        await manager.waitForBackgroundWork()
        #expect(try await networks(session).count == 0 + 1)

        // None is kept idle when networks come back either: the first takes the standby (and
        // none is started after it), the second makes its own network.
        let first = try await manager.create(spec)
        let second = try await manager.create(spec)
        #expect(first.details["standby"] == "true" && second.details["standby"] == nil)
        #expect(try await networks(session).count == 2)
        try await manager.destroy(first.id)
        try await manager.destroy(second.id)
        await manager.waitForBackgroundWork()
        #expect(try await networks(session).isEmpty)
        await manager.shutdown()
        #expect(try await standbys(session).isEmpty)
    }

    @Test func noStandbyIsStartedBeyondWhatTheEnvironmentsExpectedCanTake() async throws {
        let home = try TestHome("standby-after")
        let session = "standby-after-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        await #expect(throws: IsolationError.self) { try await manager.stopStandbys(after: -1) }
        await #expect(throws: IsolationError.self) { try await manager.stopStandbys(after: 1_000_001) }
        let spec = EnvironmentSpec(image: Self.busybox)
        try await manager.stopStandbys(after: 2)
        let first = try await manager.create(spec)
        await manager.waitForBackgroundWork()
        let waiting = try #require(try await standbys(session).first)

        // The second of the two takes it and starts none for a third.
        let second = try await manager.create(spec)
        #expect(second.location == waiting.id)
        await manager.waitForBackgroundWork()
        #expect(try await standbys(session).map(\.id) == [waiting.id])

        // A later count replaces it: the next environment leaves one ready for the one after it.
        try await manager.stopStandbys(after: 2)
        let third = try await manager.create(spec)
        #expect(third.details["standby"] == nil)
        await manager.waitForBackgroundWork()
        #expect(try await standbys(session).count == 2)
        for environment in [first, second, third] { try await manager.destroy(environment.id) }
        await manager.shutdown()
        #expect(try await standbys(session).isEmpty)
    }

    @Test func aSpecThatCannotStartCostsOneFailedStandbyNotOnePerEnvironment() async throws {
        let home = try TestHome("standby-failing")
        let session = "standby-failing-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        let marker = "test.standby-failing=\(UUID().uuidString)"
        var spec = EnvironmentSpec(image: Self.busybox)
        spec.labels = ["test.standby-failing": String(marker.split(separator: "=")[1])]
        // Created, but its start fails: runc finds no such user.
        spec.user = "no-such-user"
        try await withDockerClient(try .fromEnvironment()) { client in
            // Subscribed first: the daemon replays only its last 256 events.
            let stream = try await client.events(
                EventFilter(filters: ["type": ["container"], "event": ["create"], "label": [marker]]))
            async let created: [String] = {
                var names: [String] = []
                for try await event in stream {
                    if event.actor.attributes?["test.end"] != nil { break }
                    names.append(event.actor.attributes?["name"] ?? "")
                }
                return names
            }()
            for _ in 0..<3 {
                await #expect(throws: IsolationError.self) { try await manager.create(spec) }
                await manager.waitForBackgroundWork()
            }
            var end = ContainerSpec(image: Self.busybox)
            end.labels = spec.labels.merging(["test.end": "1"]) { $1 }
            let id = try await client.createContainer(end).id
            _ = try await client.removeContainer(id, force: true, removeVolumes: true)
            // The three environments, and one standby: begun beside the first start (not after
            // it), it failed too, and the spec got no other.
            let names = try await created
            #expect(names.count == 4, "\(names)")
            #expect(names.count { $0.hasPrefix("ptest-iso-standby-") } == 1, "\(names)")
        }
        await manager.shutdown()
        #expect(try await standbys(session).isEmpty)
    }

    /// A service's first standby starts beside its first environment, not once that one is
    /// ready; and when the environment fails its readiness wait, the standby being started gives
    /// up its own: the session's end, which waits for the starts, does not wait it out again.
    @Test func aServiceWhoseEnvironmentFailsGivesUpTheStandbyBeingStarted() async throws {
        let home = try TestHome("standby-abandon")
        let session = "standby-abandon-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        let marker = UUID().uuidString
        var spec = EnvironmentSpec(
            image: Self.busybox, ports: [8080], command: ["sleep", "2147483647"], waitFor: [.http(.init(port: 8080))], mode: .service)
        // Nothing ever listens on 8080: only the removal below ends the environment's wait, and
        // only the environment's failure the standby's, long before this.
        spec.readyTimeoutSeconds = 3600
        spec.labels = ["test.standby-abandon": marker]
        try await withDockerClient(try .fromEnvironment()) { client in
            let stream = try await client.events(
                EventFilter(filters: ["type": ["container"], "event": ["start"], "label": ["test.standby-abandon=\(marker)"]]))
            // Once both have started, the environment's container is removed under its wait.
            async let started: [String] = {
                var names: [String: String] = [:]
                for try await event in stream {
                    names[event.actor.id] = event.actor.attributes?["name"] ?? ""
                    guard names.count == 2 else { continue }
                    if let own = names.first(where: { !$0.value.hasPrefix("ptest-iso-standby-") }) {
                        _ = try await client.removeContainer(own.key, force: true, removeVolumes: true)
                    }
                    break
                }
                return names.values.sorted()
            }()
            await #expect(throws: IsolationError.self) { try await manager.create(spec) }
            let names = try await started
            #expect(names.count { $0.hasPrefix("ptest-iso-standby-") } == 1, "\(names)")
        }
        // Returns: the standby gave up its hour-long wait, and nothing of it is left. (Bounded
        // here: without the give-up it would wait out the hour.)
        let (settled, signal) = AsyncStream<Bool>.makeStream()
        Task {
            await manager.waitForBackgroundWork()
            signal.yield(true)
        }
        Task {
            try? await Task.sleep(for: .seconds(90))
            signal.yield(false)
        }
        var first = settled.makeAsyncIterator()
        try #require(await first.next() == true, "the standby being started still waits for readiness")
        #expect(try await standbys(session).isEmpty)
        await manager.shutdown()
        #expect(try await networks(session).isEmpty)
    }

    /// A sandbox with a published port and `NET_ADMIN`: it joins a private network itself, not
    /// a held namespace (decision 0023).
    static let onPrivateNetwork = EnvironmentSpec(image: busybox, ports: [8080], capAdd: ["NET_ADMIN"], mode: .sandbox)

    func containers(on network: String) async throws -> [String] {
        try await withDockerClient(try .fromEnvironment()) {
            try await $0.listContainers(all: true, filters: ["network": [network]]).map(\.id)
        }
    }

    func networks(_ session: String) async throws -> [String] {
        try await withDockerClient(try .fromEnvironment()) {
            try await $0.listNetworks(filters: ["label": ["ptest-iso.session=\(session)"]]).map(\.name)
        }
    }

    static func get(_ port: Int) -> String? {
        (try? Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/")!)).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test func aServiceTakesAStandbyThatIsReadyOnItsOwnNetworkAndDemandKeepsMoreReady() async throws {
        let home = try TestHome("standby-service")
        var configuration = IsolationManager.Configuration(home: home.url, session: "standby-service-\(UUID().uuidString.prefix(8))")
        configuration.dockerStandbyDepth = 2
        let session = configuration.session
        let manager = try await IsolationManager.open(configuration: configuration, engines: [DockerEngine(standbyDepth: 2)])
        let spec = EnvironmentSpec(
            image: Self.busybox, ports: [8080],
            command: ["sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"],
            waitFor: [.http(.init(port: 8080))], mode: .service)
        let first = try await manager.create(spec)
        #expect(first.details["standby"] == nil)
        await manager.waitForBackgroundWork()
        let waiting = try #require(try await standbys(session).first)

        // Taken, it is ready at once: its port is published, reported and answers from the host.
        let second = try await manager.create(spec)
        #expect(second.details["standby"] == "true")
        #expect(second.location == waiting.id)
        // In a held namespace of its own (decision 0023): the first environment's is another one.
        let holder = try #require(second.details["network_holder"])
        #expect(first.details["network_holder"] != holder)
        #expect(second.details["network"] == first.details["network"])
        let hostPort = try #require(second.details["port.8080"].flatMap(Int.init))
        #expect(Self.get(hostPort) == "ok\n")

        // Two at once while one is ready: the one that finds none ready raises how many are
        // kept, up to the depth.
        await manager.waitForBackgroundWork()
        // Docker cannot relabel a container: a standby taken keeps its label, so only the others count.
        func unclaimed(_ taken: [Environment]) async throws -> Int {
            try await standbys(session).count { standby in !taken.contains { $0.location == standby.id } }
        }
        #expect(try await unclaimed([second]) == 1)
        async let third = manager.create(spec)
        async let fourth = manager.create(spec)
        let pair = try await [third, fourth]
        #expect(pair.contains { $0.details["standby"] == "true" })
        await manager.waitForBackgroundWork()
        #expect(try await unclaimed([second] + pair) == 2)

        // Shutdown takes the unclaimed standbys with their networks, and the networks given back.
        for environment in [first, second] + pair { try await manager.destroy(environment.id) }
        await manager.shutdown()
        #expect(try await standbys(session).isEmpty)
        #expect(try await networks(session).isEmpty)
    }

    @Test func aPrivateNetworkGivenBackServesTheNextEnvironmentAndNeverTwoAtOnce() async throws {
        let home = try TestHome("standby-network-pool")
        let session = "standby-network-pool-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        let spec = Self.onPrivateNetwork
        let first = try await manager.create(spec)
        let firstNetwork = try #require(first.details["owned_network"])
        await manager.waitForBackgroundWork()
        try await manager.destroy(first.id)
        await manager.waitForBackgroundWork()

        // The next one takes the standby (on a network of its own); the standby started after it
        // gets the first environment's network, now that nothing is on it.
        let second = try await manager.create(spec)
        #expect(second.details["standby"] == "true")
        #expect(second.details["owned_network"] != firstNetwork)
        await manager.waitForBackgroundWork()
        let refill = try #require(try await standbys(session).first { $0.id != second.location })
        let joined = try await withDockerClient(try .fromEnvironment()) { try await $0.inspectContainer(refill.id) }
        #expect(joined.networkSettings.networks.map { Array($0.keys) } == [firstNetwork])
        // Alone on it: the environment that has it now and the one before never shared it.
        #expect(try await containers(on: firstNetwork) == [refill.id])

        try await manager.destroy(second.id)
        await manager.shutdown()
        #expect(try await standbys(session).isEmpty)
        #expect(try await networks(session).isEmpty)
    }

    @Test func anEnvironmentMadeFromAStandbyIsDestroyedFromItsRecordByAnyProcess() async throws {
        let home = try TestHome("standby-destroy")
        let session = "standby-destroy-\(UUID().uuidString.prefix(8))"
        let manager = try manager(home, session: session)
        // On a private network of its own, which destroy must give back too.
        let first = try await manager.create(Self.onPrivateNetwork)
        await manager.waitForBackgroundWork()
        let taken = try await manager.create(Self.onPrivateNetwork)
        #expect(taken.details["standby"] == "true")
        let network = try #require(taken.details["owned_network"])
        // Docker cannot relabel a container: the standby carries none of the environment's labels,
        // so a search by them finds nothing, and destroy goes by the record alone.
        let inspect = try await withDockerClient(try .fromEnvironment()) { try await $0.inspectContainer(taken.location) }
        #expect(inspect.config.labels?["ptest-iso.environment"] == nil)
        #expect(inspect.config.labels?["ptest-iso.standby"] == "true")

        // Another process of the session destroys it: it has only the record.
        let other = try self.manager(home, session: session)
        try await other.destroy(taken.id)
        let left = try await withDockerClient(try .fromEnvironment()) {
            try await $0.listContainers(all: true, filters: ["id": [taken.location]])
        }
        #expect(left.isEmpty)
        // Its network is free again: nothing is on it (the pool keeps it idle, or it is gone).
        #expect(try await containers(on: network).isEmpty)

        try await manager.destroy(first.id)
        await other.shutdown()
        await manager.shutdown()
        #expect(try await standbys(session).isEmpty)
        #expect(try await networks(session).isEmpty)
    }
}
