import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// A pool of plain Docker hosts against real daemons: the main one (unix socket), the TLS one
/// (scripts/tls-daemon.sh, TCP with TLS) and one that is down (nothing listens there).
@Suite struct DockerHostPoolTests {
    static let busybox = DockerEngineTests.busybox
    /// An image only the TLS daemon has: busybox under a name of this test run's own.
    static let tlsOnlyImage = "ptest-iso-test/pool-only:\(UUID().uuidString.prefix(8).lowercased())"
    static let tlsDirectory = ProcessInfo.processInfo.environment["PTEST_ISO_TLS_DIR"] ?? "/tmp/ptest-iso-tls-daemon"
    static let tlsEndpoint = "tcp://127.0.0.1:\(ProcessInfo.processInfo.environment["PTEST_ISO_TLS_PORT"] ?? "23760")"

    static var pool: DockerPoolSettings {
        DockerPoolSettings(hosts: [
            .init(name: "main", endpoint: "unix:///var/run/docker.sock", labels: ["disk": "ssd"]),
            .init(name: "tls", endpoint: tlsEndpoint, tlsCertPath: tlsDirectory, labels: ["disk": "nvme"]),
            .init(name: "gone", endpoint: "tcp://127.0.0.1:1", tlsCertPath: tlsDirectory),
        ])
    }

    static func tlsClient() throws -> DockerClient.Configuration {
        try .fromEnvironment(["DOCKER_HOST": tlsEndpoint, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": tlsDirectory])
    }

    func manager(_ home: borrowing TestHome, hosts: DockerPoolSettings = pool, session: String = "pool-\(UUID().uuidString.prefix(8))")
        throws -> IsolationManager
    {
        var configuration = IsolationManager.Configuration(home: home.url, session: session, environment: ["PTEST_ISO_REAPER": "off"])
        configuration.engineSettings = EngineSettings(configured: [hosts])
        return try IsolationManager(configuration: configuration)
    }

    /// The busybox image on the TLS daemon too, so both live hosts can take a busybox spec.
    static func busyboxOnBothHosts() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pool-busybox-\(UUID().uuidString).tar")
        defer { try? FileManager.default.removeItem(at: file) }
        let id = try await withDockerClient(try .fromEnvironment()) { client in
            _ = try await client.saveImage(busybox, to: file)
            return try await client.inspectImage(busybox).id
        }
        try await withDockerClient(try tlsClient()) { client in
            let byID = try? await client.inspectImage(id)
            let byName = try? await client.inspectImage(busybox)
            if byID == nil || byName == nil { _ = try await client.loadImage(from: file) }
            try await client.tagImage(busybox, as: tlsOnlyImage)
        }
    }

    func containers(of session: String) async throws -> [String] {
        let filter = ResourceLabels.sessionFilter(session)
        let main = try await withDockerClient(try .fromEnvironment()) { try await $0.listContainers(all: true, filters: filter) }
        let tls = try await withDockerClient(try Self.tlsClient()) { try await $0.listContainers(all: true, filters: filter) }
        return (main + tls).map(\.id)
    }

    @Test func environmentsSpreadOverTheLiveHostsAndTheDownOneIsSkippedWithItsReason() async throws {
        try await Self.busyboxOnBothHosts()
        let home = try TestHome("pool")
        let manager = try manager(home)
        let first = try await manager.create(EnvironmentSpec(image: Self.busybox))
        let second = try await manager.create(EnvironmentSpec(image: Self.busybox))
        #expect(Set([first.details["host"], second.details["host"]]) == ["main", "tls"])
        #expect(first.details["placement"]?.contains("skipped: gone down:") == true, "\(first.details)")
        #expect(second.details["host.endpoint"] == Self.tlsEndpoint || first.details["host.endpoint"] == Self.tlsEndpoint)
        for environment in [first, second] {
            let result = try await manager.run(environment.id, Command(["echo", "on", environment.details["host"] ?? ""]))
            #expect(result.stdoutText == "on \(environment.details["host"] ?? "")\n")
            _ = try await manager.stats(environment.id)
        }
        // A snapshot stays on its host and is restored there.
        let onTLS = first.details["host"] == "tls" ? first : second
        _ = try await manager.run(onTLS.id, Command(["sh", "-c", "echo kept > /work/state"]))
        let snapshot = try await manager.snapshot(onTLS.id, name: "pool-\(UUID().uuidString.prefix(6))")
        #expect(snapshot.details["host"] == "tls")
        let restored = try await manager.restore(snapshot.id)
        #expect(restored.details["host"] == "tls")
        #expect(try await manager.run(restored.id, Command(["cat", "/work/state"])).stdoutText == "kept\n")
        try await manager.destroySession(manager.configuration.session)
        try await manager.deleteSnapshot(snapshot.id)
        #expect(try await containers(of: manager.configuration.session).isEmpty)
    }

    @Test func placementRulesPickHostsAndNoHostLeftListsEveryReason() async throws {
        try await Self.busyboxOnBothHosts()
        let home = try TestHome("pool")
        let manager = try manager(home)
        let ssd = try await manager.create(EnvironmentSpec(image: Self.busybox, placement: ["host.labels.disk==ssd"]))
        #expect(ssd.details["host"] == "main")
        let notMain = try await manager.create(EnvironmentSpec(image: Self.busybox, placement: ["host.name!=main"]))
        #expect(notMain.details["host"] == "tls")
        let none = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(image: Self.busybox, placement: ["host.labels.disk==hdd"]))
        }
        #expect(none?.code == .engineUnavailable)
        for part in ["main (unix:///var/run/docker.sock): does not match placement", "tls (", "gone (tcp://127.0.0.1:1): does not match"] {
            #expect(none?.message.contains(part) == true, "\(part) in \(String(describing: none))")
        }
        let onlyGone = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(image: Self.busybox, placement: ["host.name==gone"]))
        }
        #expect(onlyGone?.message.contains("gone (tcp://127.0.0.1:1): down:") == true, "\(String(describing: onlyGone))")
        let unreadable = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(image: Self.busybox, placement: ["node.role==worker"]))
        }
        #expect(unreadable?.field == "placement[0]")
        try await manager.destroySession(manager.configuration.session)
    }

    @Test func aHostThatHasTheImageComesFirst() async throws {
        try await Self.busyboxOnBothHosts()
        let home = try TestHome("pool")
        let manager = try manager(home)
        // Only the TLS daemon has this image; the second environment still goes there, though
        // the main daemon then has fewer environments.
        let first = try await manager.create(EnvironmentSpec(image: Self.tlsOnlyImage))
        let second = try await manager.create(EnvironmentSpec(image: Self.tlsOnlyImage))
        #expect(first.details["host"] == "tls" && second.details["host"] == "tls")
        #expect(first.details["placement"]?.contains("has the image") == true)
        try await manager.destroySession(manager.configuration.session)
    }

    @Test func cleanupSweepsEveryHostWithTheDatabaseGone() async throws {
        try await Self.busyboxOnBothHosts()
        let session = "pool-sweep-\(UUID().uuidString.prefix(8))"
        let home = try TestHome("pool")
        do {
            let manager = try manager(home, session: session)
            _ = try await manager.create(EnvironmentSpec(image: Self.busybox, network: "isolated"))
            _ = try await manager.create(EnvironmentSpec(image: Self.busybox))
        }
        try FileManager.default.removeItem(at: home.url)
        #expect(try await containers(of: session).count == 2)
        let manager = try manager(home, session: session)
        let report = try await manager.cleanup(.session(session))
        #expect(report.containers.count == 2 && report.networks.count == 1, "\(report)")
        #expect(report.skipped.contains { $0.hasPrefix("host gone: ") }, "\(report.skipped)")
        #expect(try await containers(of: session).isEmpty)
    }

    /// The CLI reads the pool from the home's engines.json: `ls` gains a HOST column, `inspect`
    /// names the host, `doctor` probes every host.
    @Test func theCLIShowsEachEnvironmentsHostAndDoctorEachHost() async throws {
        try await Self.busyboxOnBothHosts()
        let home = try TestHome("pool-cli")
        let hosts = Self.pool.hosts.map { host in
            var entry: [String: Any] = ["name": host.name, "endpoint": host.endpoint ?? "", "labels": host.labels]
            if let path = host.tlsCertPath { entry["tls_cert_path"] = path }
            return entry
        }
        try JSONSerialization.data(withJSONObject: ["docker": ["hosts": hosts]]).write(to: home.url.appendingPathComponent("engines.json"))
        let state = ["--home", home.url.path]
        let created = try CLI.run(["create", "--image", Self.busybox, "--json"] + state)
        #expect(created.status == 0, "\(created.output)")
        let environment = try JSONDecoder.seconds.decode(Environment.self, from: Data(created.stdout.utf8))
        defer { _ = try? CLI.run(["rm", "--force", environment.id] + state) }
        let host = try #require(environment.details["host"])
        let listed = try CLI.run(["ls", "--no-trunc"] + state)
        #expect(listed.stdout.contains("HOST") && listed.stdout.contains(" \(host) "), "\(listed.output)")
        #expect(try CLI.run(["ls", "--format", "{{.Host}}"] + state).stdout == "\(host)\n")
        #expect(try CLI.run(["inspect", environment.id] + state).stdout.contains(host))
        var environmentVariables = ProcessInfo.processInfo.environment
        environmentVariables["PTEST_ISO_HOME"] = home.url.path
        let doctor = try CLI.run(["doctor"], environment: environmentVariables)
        #expect(doctor.stdout.contains("pool host gone  tcp+tls://127.0.0.1:1\n  status   unavailable"), "\(doctor.output)")
        let tlsAddress = Self.tlsEndpoint.replacingOccurrences(of: "tcp://", with: "tcp+tls://")
        #expect(doctor.stdout.contains("pool host tls  \(tlsAddress)\n  status   ready"), "\(doctor.output)")
    }

    /// A host given as a docker context, read from DOCKER_CONFIG as `docker` reads it.
    @Test func aHostCanBeADockerContext() async throws {
        try await Self.busyboxOnBothHosts()
        let home = try TestHome("pool-context")
        let config = home.url.appendingPathComponent("docker-config")
        let entry = "0123456789abcdef"
        let meta = config.appendingPathComponent("contexts/meta/\(entry)")
        let tls = config.appendingPathComponent("contexts/tls/\(entry)/docker")
        try FileManager.default.createDirectory(at: meta, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: tls, withIntermediateDirectories: true)
        let description: [String: Any] = [
            "Name": "ptiso-tls", "Metadata": [:], "Endpoints": ["docker": ["Host": Self.tlsEndpoint, "SkipTLSVerify": false]],
        ]
        try JSONSerialization.data(withJSONObject: description).write(to: meta.appendingPathComponent("meta.json"))
        for file in ["ca.pem", "cert.pem", "key.pem"] {
            try FileManager.default.copyItem(atPath: "\(Self.tlsDirectory)/\(file)", toPath: tls.appendingPathComponent(file).path)
        }
        let settings = ["docker": ["hosts": [["name": "ctx", "context": "ptiso-tls"]]]]
        try JSONSerialization.data(withJSONObject: settings).write(to: home.url.appendingPathComponent("engines.json"))
        var environment = ProcessInfo.processInfo.environment
        environment["DOCKER_CONFIG"] = config.path
        environment["PTEST_ISO_REAPER"] = "off"
        let state = ["--home", home.url.path]
        let created = try CLI.run(["create", "--image", Self.tlsOnlyImage, "--json"] + state, environment: environment)
        #expect(created.status == 0, "\(created.output)")
        let made = try JSONDecoder.seconds.decode(Environment.self, from: Data(created.stdout.utf8))
        defer { _ = try? CLI.run(["rm", "--force", made.id] + state, environment: environment) }
        #expect(made.details["host"] == "ctx" && made.details["host.endpoint"] == "context ptiso-tls")
        // The image exists only on the TLS daemon: the container could only have been made there.
        #expect(try CLI.run(["run", made.id] + state + ["--", "echo", "via-context"], environment: environment).stdout == "via-context\n")
    }

    @Test func poolSettingsAreStrict() throws {
        func decode(_ json: String) throws {
            try SchemaJSON.decode(EngineSettings.self, from: Data(json.utf8), what: "engines").validate()
        }
        let cases: [(String, String)] = [
            (#"{"docker": {"hosts": []}}"#, "docker.hosts"),
            (#"{"docker": {"hosts": [{"name": "a"}]}}"#, "docker.hosts[0].endpoint"),
            (#"{"docker": {"hosts": [{"name": "a", "endpoint": "unix:///x", "context": "c"}]}}"#, "docker.hosts[0].endpoint"),
            (#"{"docker": {"hosts": [{"name": "a b", "endpoint": "unix:///x"}]}}"#, "docker.hosts[0].name"),
            (
                #"{"docker": {"hosts": [{"name": "a", "endpoint": "unix:///x"}, {"name": "a", "endpoint": "unix:///y"}]}}"#,
                "docker.hosts[1].name"
            ),
            (#"{"docker": {"hosts": [{"name": "a", "endpoint": "unix:///x", "label": {}}]}}"#, "docker.hosts[0].label"),
            (#"{"docker": {"hosts": [{"name": "a", "endpoint": "127.0.0.1:2375"}]}}"#, "docker.hosts[0].endpoint"),
        ]
        for (json, field) in cases {
            let error = #expect(throws: IsolationError.self, "\(json)") { try decode(json) }
            #expect(error?.field == field, "\(json): \(String(describing: error))")
        }
    }
}
