import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// The swarm engine against a real swarm: three dockerd nodes in network namespaces of this
/// machine (`scripts/swarm-cluster.sh up`, which scripts/test.sh runs first). Serialized: one
/// test stops a node.
@Suite(.serialized) struct SwarmEngineTests {
    static let busybox = DockerEngineTests.busybox
    static let clusterDirectory = ProcessInfo.processInfo.environment["PTEST_ISO_SWARM_DIR"] ?? "/tmp/ptest-iso-swarm"
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/swarm-cluster.sh")
        .standardized.path

    /// The manager by TCP with TLS; the nodes by their endpoint labels (unix sockets).
    static var settings: SwarmSettings {
        var settings = SwarmSettings(manager: "tcp://10.215.0.11:2376", tlsCertPath: clusterDirectory)
        settings.startTimeoutSeconds = 60
        return settings
    }

    static func nodeClient(_ node: Int) throws -> DockerClient.Configuration {
        try .fromEnvironment(["DOCKER_HOST": "unix://\(clusterDirectory)/node\(node)/docker.sock"])
    }

    static func managerClient() throws -> DockerClient.Configuration {
        try .fromEnvironment(["DOCKER_HOST": "tcp://10.215.0.11:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": clusterDirectory])
    }

    /// A manager whose container specs go to the swarm by the settings' one switch.
    func manager(_ home: borrowing TestHome, session: String = "swarm-\(UUID().uuidString.prefix(8))") throws -> IsolationManager {
        var configuration = IsolationManager.Configuration(home: home.url, session: session, environment: ["PTEST_ISO_REAPER": "off"])
        configuration.engineSettings = EngineSettings(defaultContainerEngine: .swarm, configured: [Self.settings])
        return try IsolationManager(configuration: configuration)
    }

    func requireCluster() async throws {
        let state = try await withDockerClient(try Self.managerClient()) { try await $0.info().swarm?.localNodeState }
        try #require(state == "active", "the test swarm is not up: run scripts/swarm-cluster.sh up")
    }

    /// Everything of `session` left anywhere in the swarm: services, secrets, and containers on every node.
    func leftovers(of session: String) async throws -> [String] {
        let filter = ResourceLabels.sessionFilter(session)
        var found = try await withDockerClient(try Self.managerClient()) { client in
            try await client.listServices(filters: filter).map { "service \($0.spec.name)" }
                + client.listSecrets(filters: filter).map { "secret \($0.spec.name)" }
                + client.listNetworks(filters: filter).map { "network \($0.name)" }
        }
        for node in 1...3 {
            found += try await withDockerClient(try Self.nodeClient(node)) { client in
                try await client.listContainers(all: true, filters: filter).map { "container \($0.id) on node\(node)" }
            }
        }
        return found
    }

    /// Waits, bounded, until `session` has nothing left in the swarm (a node removes a removed
    /// service's container a moment later).
    func expectNothingLeft(of session: String) async throws {
        var left: [String] = []
        for _ in 0..<200 {
            left = try await leftovers(of: session)
            if left.isEmpty { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("left behind: \(left)")
    }

    @Test func theSwitchSendsContainerSpecsToTheSwarmAndSpreadsThemOverNodesWithExecOnEach() async throws {
        try await requireCluster()
        let home = try TestHome("swarm")
        let manager = try manager(home)
        #expect(try manager.chooseEngine(for: EnvironmentSpec(image: Self.busybox)).engine == .swarm)
        #expect(try manager.chooseEngine(for: EnvironmentSpec()).engine == .virtualenv)
        #expect(try manager.chooseEngine(for: EnvironmentSpec(engine: .docker, image: Self.busybox)).engine == .docker)
        let environments = try await withThrowingTaskGroup(of: Environment.self) { group in
            for _ in 0..<6 { group.addTask { try await manager.create(EnvironmentSpec(image: Self.busybox)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let nodes = Set(environments.compactMap { $0.details["node"] })
        #expect(nodes.count >= 2, "placed on \(nodes)")
        for environment in environments {
            #expect(environment.engine == .swarm)
            let result = try await manager.run(environment.id, Command(["sh", "-c", "echo on-$0", environment.details["node"] ?? "?"]))
            #expect(result.exitCode == 0 && result.stdoutText == "on-\(environment.details["node"] ?? "?")\n")
            // The container is where the details say: on that node's own daemon.
            let node = Int(environment.details["node"]?.dropFirst(4) ?? "") ?? 0
            let inspect = try await withDockerClient(try Self.nodeClient(node)) { try await $0.inspectContainer(environment.location) }
            #expect(inspect.config.labels?[ResourceLabels.environment] == environment.id)
        }
        // Logs and stats come from the node too.
        _ = try await manager.run(environments[1].id, Command(["sh", "-c", "echo to-the-log > /proc/1/fd/1"]))
        let logs = try await manager.logs(environments[1].id)
        #expect(logs.contains { String(decoding: $0.data, as: UTF8.self).contains("to-the-log") }, "\(logs)")
        #expect(try await manager.stats(environments[1].id).memoryUsageBytes > 0)
        // Files in and out go through the node too.
        let source = home.url.appendingPathComponent("hello.txt")
        try Data("hello swarm\n".utf8).write(to: source)
        try await manager.copyIn(environments[0].id, from: source, to: "in")
        let copied = try await manager.run(environments[0].id, Command(["sh", "-c", "cat in/hello.txt 2>/dev/null || cat in"]))
        #expect(copied.stdoutText == "hello swarm\n", "\(copied.stderrText)")
        for environment in environments { try await manager.destroy(environment.id) }
        try await expectNothingLeft(of: manager.configuration.session)
    }

    @Test func execWorksOnEveryNode() async throws {
        try await requireCluster()
        let home = try TestHome("swarm")
        let manager = try manager(home)
        for node in ["node1", "node2", "node3"] {
            let environment = try await manager.create(
                EnvironmentSpec(image: Self.busybox, placement: ["node.labels.ptest-iso.node==\(node)"]))
            #expect(environment.details["node"] == node)
            let result = try await manager.run(environment.id, Command(["sh", "-c", "echo \(node) >&2; exit 3"]))
            #expect(result.exitCode == 3 && result.stderrText == "\(node)\n")
        }
        try await manager.destroySession(manager.configuration.session)
        try await expectNothingLeft(of: manager.configuration.session)
    }

    @Test func placementConstraintsAreHonouredAndAnUnplaceableSpecSaysWhy() async throws {
        try await requireCluster()
        let home = try TestHome("swarm")
        let manager = try manager(home)
        let onNode2 = try await manager.create(EnvironmentSpec(image: Self.busybox, placement: ["node.labels.ptest-iso.node==node2"]))
        #expect(onNode2.details["node"] == "node2")
        let onManager = try await manager.create(EnvironmentSpec(image: Self.busybox, placement: ["node.role==manager"]))
        #expect(onManager.details["node"] == "node1")
        let nowhere = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(image: Self.busybox, placement: ["node.labels.ptest-iso.node==nowhere"]))
        }
        #expect(nowhere?.field == "placement" && nowhere?.message.contains("no suitable node") == true, "\(String(describing: nowhere))")
        let malformed = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(image: Self.busybox, placement: ["node.role"]))
        }
        #expect(malformed?.field == "placement[0]")
        // Placement means nothing to the Docker engine: refused there by name, not ignored.
        let onDocker = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(engine: .docker, image: Self.busybox, placement: ["node.role==worker"]))
        }
        #expect(onDocker?.message.hasPrefix("placement: the docker engine does not provide placement") == true)
        try await manager.destroySession(manager.configuration.session)
        try await expectNothingLeft(of: manager.configuration.session)
    }

    @Test func anOverlayNetworkJoinsEnvironmentsOnDifferentNodes() async throws {
        try await requireCluster()
        let home = try TestHome("swarm")
        let manager = try manager(home)
        let network = "ptiso-test-\(UUID().uuidString.prefix(8).lowercased())"
        var web = EnvironmentSpec(image: Self.busybox, network: network, placement: ["node.labels.ptest-iso.node==node2"])
        web.name = "web"
        web.command = ["sh", "-c", "mkdir -p /tmp/www && echo up > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www"]
        web.waitFor = [.command(["sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 8080 | grep -q up"])]
        let server = try await manager.create(web)
        let client = try await manager.create(
            EnvironmentSpec(image: Self.busybox, network: network, placement: ["node.labels.ptest-iso.node==node3"]))
        #expect(server.details["node"] == "node2" && client.details["node"] == "node3")
        // By the server's name, through the swarm's VIP, across the two nodes.
        let fetched = try await manager.run(
            client.id, Command(["sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 10 web 8080 | tail -n 1"]))
        #expect(fetched.exitCode == 0 && fetched.stdoutText == "up\n", "\(fetched.stderrText)")
        try await manager.destroy(server.id)
        try await manager.destroy(client.id)
        try await expectNothingLeft(of: manager.configuration.session)
        let kept = try await withDockerClient(try Self.managerClient()) { try await $0.listNetworks(filters: ["name": [network]]) }
        #expect(kept.filter { $0.name == network }.isEmpty, "the shared network goes with its last user")
    }

    @Test func secretsAreSwarmSecretsNeverInTheService() async throws {
        try await requireCluster()
        let home = try TestHome("swarm")
        let manager = try manager(home)
        let value = "s3cret-\(UUID().uuidString)"
        let environment = try await manager.create(
            EnvironmentSpec(image: Self.busybox, secrets: [Secret(name: "TOKEN", value: value, as: .file)]))
        #expect(try await manager.run(environment.id, Command(["cat", "/run/secrets/TOKEN"])).stdoutText == value)
        let inspected = try await withDockerClient(try Self.managerClient()) { client in
            try await client.inspectServiceJSON(environment.details["service.id"] ?? "")
        }
        #expect(!String(decoding: inspected, as: UTF8.self).contains(value))
        #expect(String(decoding: inspected, as: UTF8.self).contains("ptest-iso-\(environment.id)-TOKEN"))
        let asVariable = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(image: Self.busybox, secrets: [Secret(name: "TOKEN", value: value)]))
        }
        #expect(asVariable?.field == "secrets[0].as" && !(asVariable?.message.contains(value) ?? true))
        try await manager.destroy(environment.id)
        try await expectNothingLeft(of: manager.configuration.session)
    }

    @Test func cleanupSweepsTheWholeSwarmWithTheDatabaseGone() async throws {
        try await requireCluster()
        let session = "swarm-sweep-\(UUID().uuidString.prefix(8))"
        let home = try TestHome("swarm")
        do {
            let manager = try manager(home, session: session)
            _ = try await manager.create(
                EnvironmentSpec(
                    image: Self.busybox, network: "isolated", secrets: [Secret(name: "KEY", value: "v", as: .file)],
                    placement: ["node.labels.ptest-iso.node==node3"]))
            _ = try await manager.create(EnvironmentSpec(image: Self.busybox, placement: ["node.labels.ptest-iso.node==node2"]))
        }
        // The database goes, with nothing destroyed: only labels are left to find. File by file,
        // as the other cleanup tests do: the released manager's last connection may delete its
        // -wal and -shm meanwhile (a recursive removal of the home then failed on CI).
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(at: home.url.appendingPathComponent("state.sqlite\(suffix)"))
        }
        #expect(!FileManager.default.fileExists(atPath: home.url.appendingPathComponent("state.sqlite").path))
        #expect(try await leftovers(of: session).count >= 5)
        let manager = try manager(home, session: session)
        let report = try await manager.cleanup(.session(session))
        #expect(report.services.count == 2 && report.secrets.count == 1, "\(report)")
        #expect(report.containers.count == 2 && report.skipped.isEmpty, "\(report)")
        try await expectNothingLeft(of: session)
    }

    @Test func expiredEnvironmentsAreRemovedAcrossTheSwarmByTheirLabels() async throws {
        try await requireCluster()
        let session = "swarm-ttl-\(UUID().uuidString.prefix(8))"
        let home = try TestHome("swarm")
        do {
            let manager = try manager(home, session: session)
            _ = try await manager.create(
                EnvironmentSpec(ttlSeconds: 60, image: Self.busybox, secrets: [Secret(name: "KEY", value: "v", as: .file)]))
        }
        try FileManager.default.removeItem(at: home.url)
        let manager = try manager(home, session: "another-session")
        // Not yet expired: nothing goes.
        #expect(try await manager.cleanup(.expired).services.isEmpty)
        let report = try await manager.cleanup(.expired, now: Date().addingTimeInterval(3600))
        #expect(report.services.count == 1 && report.secrets.count == 1 && report.containers.count == 1, "\(report)")
        try await expectNothingLeft(of: session)
    }

    @Test func aStoppedNodeLosesItsEnvironmentsAndNewOnesGoElsewhere() async throws {
        try await requireCluster()
        let home = try TestHome("swarm")
        let manager = try manager(home)
        let doomed = try await manager.create(EnvironmentSpec(image: Self.busybox, placement: ["node.labels.ptest-iso.node==node3"]))
        try Self.cluster("stop-node", "3")
        do {
            let lost = await #expect(throws: IsolationError.self) { try await manager.run(doomed.id, Command(["true"])) }
            #expect(
                lost?.code == .daemonUnavailable && lost?.message.contains("is lost: its node node3") == true, "\(String(describing: lost))"
            )
            // Once the manager has seen the node go, nothing new lands there.
            try await waitForNode3(state: "down")
            for _ in 0..<3 {
                let placed = try await manager.create(EnvironmentSpec(image: Self.busybox))
                #expect(placed.details["node"] != "node3")
            }
            try await manager.destroySession(manager.configuration.session)
        } catch {
            try Self.cluster("start-node", "3")
            throw error
        }
        try Self.cluster("start-node", "3")
        try await waitForNode3(state: "ready")
        // What the lost node still ran is swept once it is back.
        _ = try await manager.cleanup(.session(manager.configuration.session))
        try await expectNothingLeft(of: manager.configuration.session)
    }

    @Test func aDrainedNodeLosesItsEnvironmentsAndTakesNoNewOnes() async throws {
        try await requireCluster()
        let home = try TestHome("swarm")
        let manager = try manager(home)
        let doomed = try await manager.create(EnvironmentSpec(image: Self.busybox))
        let nodeName = try #require(doomed.details["node"])
        let nodeID = try #require(doomed.details["node.id"])
        try await setAvailability(nodeID, "drain")
        do {
            // The swarm shuts the drained node's task down; the environment is then reported lost.
            var lost: IsolationError?
            for _ in 0..<200 {
                do {
                    _ = try await manager.run(doomed.id, Command(["true"]))
                } catch let error as IsolationError {
                    lost = error
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(
                lost?.message.contains("is lost: its container is stopped or gone on node \(nodeName)") == true,
                "\(String(describing: lost))")
            for _ in 0..<3 {
                let placed = try await manager.create(EnvironmentSpec(image: Self.busybox))
                #expect(placed.details["node"] != nodeName)
            }
        } catch {
            try await setAvailability(nodeID, "active")
            throw error
        }
        try await setAvailability(nodeID, "active")
        try await manager.destroySession(manager.configuration.session)
        try await expectNothingLeft(of: manager.configuration.session)
    }

    func setAvailability(_ nodeID: String, _ availability: String) async throws {
        try await withDockerClient(try Self.managerClient()) { client in
            let node = try await client.inspectNode(nodeID)
            var spec = node.spec
            spec.availability = availability
            try await client.updateNode(nodeID, version: node.version.index, spec: spec)
        }
    }

    @Test func anUnreachableManagerIsAClearError() async throws {
        let home = try TestHome("swarm")
        var configuration = IsolationManager.Configuration(home: home.url, environment: ["PTEST_ISO_REAPER": "off"])
        configuration.engineSettings = EngineSettings(
            defaultContainerEngine: .swarm, configured: [SwarmSettings(manager: "tcp://127.0.0.1:1", tlsCertPath: Self.clusterDirectory)])
        let manager = try await IsolationManager.open(configuration: configuration)
        let error = await #expect(throws: IsolationError.self) { try await manager.create(EnvironmentSpec(image: Self.busybox)) }
        #expect(error?.code == .daemonUnavailable && error?.message.contains("127.0.0.1:1") == true, "\(String(describing: error))")
        let engines = await manager.engines()
        let swarm = engines.first { $0.kind == .swarm }
        #expect(swarm?.unavailableReason?.hasPrefix("swarm manager tcp://127.0.0.1:1:") == true, "\(String(describing: swarm))")
    }

    func waitForNode3(state: String) async throws {
        for _ in 0..<600 {
            let nodes = try await withDockerClient(try Self.managerClient()) { try await $0.listNodes() }
            if nodes.contains(where: { $0.spec.labels?["ptest-iso.node"] == "node3" && $0.status?.state == state }) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("node3 never became \(state)")
    }

    static func cluster(_ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script] + arguments
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "swarm-cluster.sh \(arguments) failed")
    }

    @Test func jobsAreSwarmJobsWithTheirExitCodeOutputAndRetries() async throws {
        try await requireCluster()
        let home = try TestHome("swarm")
        let manager = try manager(home)
        let failing = try await manager.runJob(
            JobSpec(image: Self.busybox, command: ["sh", "-c", "echo out; echo err >&2; exit 3"], retries: 1, backoffSeconds: 0.1))
        #expect(failing.exitCode == 3 && failing.attempts == 2)
        #expect(failing.stdout == "out\n" && failing.stderr == "err\n")
        let passing = try await manager.runJob(JobSpec(image: Self.busybox, command: ["sh", "-c", "echo done"]))
        #expect(passing.succeeded && passing.stdout == "done\n")
        let late = await #expect(throws: IsolationError.self) {
            try await manager.runJob(JobSpec(image: Self.busybox, command: ["sh", "-c", "echo started; sleep 60"], deadlineSeconds: 3))
        }
        #expect(late?.code == .timeout && late?.message.contains("started") == true, "\(String(describing: late))")
        let refused = await #expect(throws: IsolationError.self) {
            try await manager.runJob(JobSpec(image: Self.busybox, command: ["true"], privileged: true))
        }
        #expect(refused?.field == "privileged")
        try await expectNothingLeft(of: manager.configuration.session)
    }

    /// `images: push`: an image only the manager has (built there) reaches a worker through the
    /// swarm's registry, by digest.
    @Test func pushModeHandsANewImageToTheWorkersByDigest() async throws {
        try await requireCluster()
        let home = try TestHome("swarm")
        var settings = Self.settings
        settings.images = .push
        settings.registry = "10.215.0.1:5100"
        var configuration = IsolationManager.Configuration(home: home.url, environment: ["PTEST_ISO_REAPER": "off"])
        configuration.engineSettings = EngineSettings(defaultContainerEngine: .swarm, configured: [settings])
        let manager = try await IsolationManager.open(configuration: configuration)
        let mark = UUID().uuidString
        let context = home.url.appendingPathComponent("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("FROM \(Self.busybox)\nRUN echo \(mark) > /mark\n".utf8).write(to: context.appendingPathComponent("Dockerfile"))
        var spec = EnvironmentSpec(placement: ["node.role==worker"])
        spec.build = BuildSpec(context: context.path)
        let environment = try await manager.create(spec)
        #expect(environment.details["node"] != "node1")
        #expect(try await manager.run(environment.id, Command(["cat", "/mark"])).stdoutText == "\(mark)\n")
        let service = try await withDockerClient(try Self.managerClient()) {
            try await $0.inspectService(environment.details["service.id"] ?? "")
        }
        #expect(service.spec.taskTemplate?.containerSpec?.image?.hasPrefix("10.215.0.1:5100/ptest-iso-swarm@sha256:") == true)
        try await manager.destroySession(manager.configuration.session)
        try await expectNothingLeft(of: manager.configuration.session)
        let missing = #expect(throws: IsolationError.self) {
            try SchemaJSON.decode(EngineSettings.self, from: Data(#"{"swarm": {"manager": "unix:///x", "images": "push"}}"#.utf8))
                .validate()
        }
        #expect(missing?.field == "swarm.registry")
    }

    @Test func engineSettingsAreStrictAndNameTheField() throws {
        func decode(_ json: String) throws -> EngineSettings {
            let settings = try SchemaJSON.decode(EngineSettings.self, from: Data(json.utf8), what: "engines")
            try settings.validate()
            return settings
        }
        let good = try decode(#"{"default_container_engine": "swarm", "swarm": {"manager": "unix:///run/docker.sock"}}"#)
        #expect(good.defaultContainerEngine == .swarm && good.configured.count == 1)
        let cases: [(String, String)] = [
            (#"{"swarn": {"manager": "unix:///x"}}"#, "swarn"),
            (#"{"swarm": {"manager": "unix:///x", "node_endpoint": {}}}"#, "swarm.node_endpoint"),
            (#"{"swarm": {"manager": "http://x"}}"#, "swarm.manager"),
            (#"{"swarm": {"manager": "unix:///x", "node_endpoints": {"n1": "ftp://y"}}}"#, "swarm.node_endpoints.n1"),
            (#"{"swarm": {"manager": "unix:///x", "start_timeout_seconds": -1}}"#, "swarm.start_timeout_seconds"),
            (#"{"default_container_engine": "swarm"}"#, "default_container_engine"),
            (#"{"swarm": {}}"#, "swarm.manager"),
        ]
        for (json, field) in cases {
            let error = #expect(throws: IsolationError.self, "\(json)") { try decode(json) }
            #expect(error?.field == field, "\(json): \(String(describing: error))")
        }
        let unknown = #expect(throws: IsolationError.self) { try decode(#"{"swarn": {}}"#) }
        #expect(unknown?.message.contains("swarm") == true, "the closest known section is suggested: \(String(describing: unknown))")
    }

    @Test func aSettingsFileInYAMLIsReadAsTheSameDocument() throws {
        let home = try TestHome("swarm")
        let file = home.url.appendingPathComponent("engines.yaml")
        try Data("default_container_engine: swarm\nswarm:\n  manager: unix:///tmp/x.sock\n  start_timeout_seconds: 5\n".utf8).write(
            to: file)
        let configuration = IsolationManager.Configuration(home: home.url, environment: ["PTEST_ISO_ENGINES": file.path])
        #expect(configuration.engineSettingsFile == file)
        #expect(IsolationManager.Configuration(home: home.url, environment: [:]).engineSettingsFile == nil)
        let settings = try EngineSettings.load(file)
        #expect((settings.configured.first as? SwarmSettings)?.startTimeoutSeconds == 5)
        try Data("swarm:\n  manager: nowhere\n".utf8).write(to: file)
        let error = #expect(throws: IsolationError.self) { try IsolationManager(configuration: configuration) }
        #expect(error?.field == "swarm.manager" && error?.message.contains(file.path) == true, "\(String(describing: error))")
    }
}
