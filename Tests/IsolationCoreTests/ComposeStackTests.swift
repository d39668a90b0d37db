import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// Compose stacks as environments, against the real daemon: start order and conditions,
/// Compose's labels, ports, networks and volumes, failure with the failing service's logs,
/// and nothing left after destroy.
@Suite struct ComposeStackTests {
    static let busybox = DockerEngineTests.busybox

    func manager(_ home: borrowing TestHome) throws -> IsolationManager {
        let configuration = IsolationManager.Configuration(home: home.url, session: "compose-\(UUID().uuidString.prefix(8))")
        return try IsolationManager(configuration: configuration, engines: [DockerEngine()])
    }

    func write(_ yaml: String, to home: borrowing TestHome, name: String = "docker-compose.yml") throws -> String {
        let file = home.url.appendingPathComponent(name)
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// Everything labelled with the compose project: containers, networks, volumes.
    func leftovers(project: String) async throws -> [String] {
        try await withDockerClient(try .fromEnvironment()) { client in
            let filter = ["label": ["com.docker.compose.project=\(project)"]]
            let containers = try await client.listContainers(all: true, filters: filter).map(\.id)
            let networks = try await client.listNetworks(filters: filter).map(\.name)
            let volumes = try await client.listVolumes(filters: filter).map(\.name)
            return containers + networks + volumes
        }
    }

    static let webStack = """
        services:
          db:
            image: \(busybox)
            command: ["sh", "-c", "mkdir -p /data && touch /data/ready && exec sleep 600"]
            healthcheck:
              test: ["CMD", "test", "-e", "/data/ready"]
              interval: 200ms
              retries: 100
            volumes: ["data:/data"]
            networks: [back]
          migrate:
            image: \(busybox)
            command: ["sh", "-c", "echo migrating; echo migrated-$$MARK > /data/migrated"]
            environment:
              MARK: ${MARK:-unset}
            depends_on:
              db: {condition: service_healthy}
            volumes: ["data:/data"]
            networks: [back]
          web:
            image: \(busybox)
            command: ["sh", "-c", "mkdir -p /www && cp /data/migrated /www/index.html && exec httpd -f -p 8080 -h /www"]
            ports: ["127.0.0.1::8080"]
            healthcheck:
              test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
              interval: 200ms
              retries: 100
            depends_on:
              db: {condition: service_healthy}
              migrate: {condition: service_completed_successfully}
            volumes: ["data:/data:ro"]
            networks:
              back: {aliases: [api]}
              default: {}
        volumes:
          data: {}
        networks:
          back: {}
        """

    @Test func aStackComesUpInOrderLabelledAsComposeDoesAndGoesWithItsEnvironment() async throws {
        let home = try TestHome("compose-web")
        let manager = try manager(home)
        let file = try write(Self.webStack, to: home)
        // A generous bound: the full suite runs every test at once on two cores.
        let environment = try await manager.create(
            EnvironmentSpec(readyTimeoutSeconds: 300, compose: ComposeSpec(files: [file], environment: ["MARK": "42"])))
        let project = try #require(environment.details["compose.project"])
        #expect(project == "ptest-iso-\(environment.id)")
        #expect(environment.details["compose.services"] == "db,migrate,web")
        #expect(environment.details["compose.main"] == "web")
        #expect(environment.location == environment.details["container.web"])

        // The main service's port answers from the host with what the one-shot service wrote.
        let port = try #require(environment.details["port.8080"].flatMap(Int.init))
        #expect(environment.details["port.web.8080"] == String(port))
        let body = try String(decoding: Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/")!), as: UTF8.self)
        #expect(body == "migrated-42\n")

        // Compose's labels on every container, and its network names and aliases.
        try await withDockerClient(try .fromEnvironment()) { client in
            let containers = try await client.listContainers(all: true, filters: ["label": ["com.docker.compose.project=\(project)"]])
            #expect(Set(containers.compactMap { $0.labels?["com.docker.compose.service"] }) == ["db", "migrate", "web"])
            for container in containers {
                let labels = container.labels ?? [:]
                #expect(labels["com.docker.compose.oneoff"] == "False")
                #expect(labels["com.docker.compose.container-number"] == "1")
                #expect(labels["com.docker.compose.project.config_files"] == file)
                #expect(labels["ptest-iso.environment"] == environment.id)
            }
            let web = try await client.inspectContainer(environment.location)
            #expect(web.name == "/\(project)-web-1")
            #expect(Set(web.networkSettings.networks?.keys.map { $0 } ?? []) == ["\(project)_back", "\(project)_default"])
            #expect(web.networkSettings.networks?["\(project)_back"]?.aliases?.contains("api") == true)
        }
        // The main service runs commands and reaches the others by name.
        let ping = try await manager.run(environment.id, Command(["sh", "-c", "nslookup db >/dev/null 2>&1 || ping -c1 -W2 db"]))
        #expect(ping.exitCode == 0, "\(ping.stderrText)")

        // ID/SERVICE addresses one service for commands, files and logs; not for destroy.
        let inDB = try await manager.run("\(environment.id)/db", Command(["test", "-e", "/data/ready"]))
        #expect(inDB.exitCode == 0)
        let migrateLog = try await manager.logs("\(environment.id)/migrate")
        #expect(String(decoding: migrateLog.reduce(into: Data()) { $0 += $1.data }, as: UTF8.self) == "migrating\n")
        let missing = await #expect(throws: IsolationError.self) { try await manager.run("\(environment.id)/cache", Command(["true"])) }
        #expect(missing?.code == .notFound)
        #expect(missing?.message.contains("services: db,migrate,web") == true, "\(String(describing: missing))")
        let whole = await #expect(throws: IsolationError.self) { try await manager.destroy("\(environment.id)/web") }
        #expect(whole?.field == "id")

        try await manager.destroy(environment.id)
        #expect(try await leftovers(project: project).isEmpty)
    }

    @Test func aServiceThatFailsWhileOthersWaitFailsTheStackWithItsLogsAndLeavesNothing() async throws {
        let home = try TestHome("compose-fail")
        let manager = try manager(home)
        let file = try write(
            """
            services:
              db:
                image: \(Self.busybox)
                command: ["sh", "-c", "echo cannot open the data directory; exit 3"]
                healthcheck: {test: ["CMD", "true"], interval: 200ms}
              web:
                image: \(Self.busybox)
                command: ["sleep", "600"]
                depends_on:
                  db: {condition: service_healthy}
            """, to: home)
        let error = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(compose: ComposeSpec(files: [file], projectName: "ptisofail")))
        }
        #expect(error?.field == "compose")
        #expect(
            error?.problem.contains("service db exited with code 3 while web waited for it (service_healthy)") == true,
            "\(String(describing: error))")
        #expect(error?.message.contains("cannot open the data directory") == true)
        #expect(try await leftovers(project: "ptisofail").isEmpty)
    }

    @Test func stopAndStartTakeTheWholeStack() async throws {
        let home = try TestHome("compose-control")
        let manager = try manager(home)
        let file = try write(
            """
            services:
              cache:
                image: \(Self.busybox)
                command: ["sleep", "600"]
              app:
                image: \(Self.busybox)
                command: ["sleep", "600"]
                depends_on: [cache]
                labels: {ptest-iso.main: "true"}
            """, to: home)
        let environment = try await manager.create(EnvironmentSpec(compose: ComposeSpec(files: [file])))
        #expect(environment.details["compose.main"] == "app")
        let project = try #require(environment.details["compose.project"])
        func running() async throws -> Int {
            try await withDockerClient(try .fromEnvironment()) {
                try await $0.listContainers(all: false, filters: ["label": ["com.docker.compose.project=\(project)"]]).count
            }
        }
        #expect(try await running() == 2)
        _ = try await manager.stop(environment.id)
        #expect(try await running() == 0)
        _ = try await manager.start(environment.id)
        #expect(try await running() == 2)
        try await manager.destroy(environment.id)
        #expect(try await leftovers(project: project).isEmpty)
    }

    @Test func badStackSpecsNameTheField() async throws {
        let home = try TestHome("compose-bad")
        let manager = try manager(home)
        let file = try write("services:\n  web:\n    image: \(Self.busybox)\n", to: home)
        for (spec, field, prefix) in [
            (EnvironmentSpec(compose: ComposeSpec(files: [])), "compose.files", "empty"),
            (EnvironmentSpec(image: Self.busybox, compose: ComposeSpec(files: [file])), "image", "not allowed with compose"),
            (EnvironmentSpec(compose: ComposeSpec(files: [file], services: ["wbe"])), "compose.services[0]", "'wbe' is not a service"),
            (EnvironmentSpec(compose: ComposeSpec(files: [file], main: "db")), "compose.main", "'db' is not a service"),
            (EnvironmentSpec(compose: ComposeSpec(files: [file], projectName: "Bad Name")), "compose.project_name", "'Bad Name'"),
        ] {
            let error = await #expect(throws: IsolationError.self) { try await manager.create(spec) }
            #expect(error?.code == .invalidSpec)
            #expect(error?.field == field, "\(String(describing: error))")
            #expect(error?.problem.hasPrefix(prefix) == true, "\(String(describing: error))")
        }
        let hint = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(compose: ComposeSpec(files: [file], services: ["wbe"])))
        }
        #expect(hint?.message.hasSuffix("did you mean 'web'?") == true)
    }

    @Test func theSessionsCleanupTakesEveryResourceOfAStackEvenWithTheDatabaseGone() async throws {
        let home = try TestHome("compose-reap")
        let session = "compose-reap-\(UUID().uuidString.prefix(8))"
        let manager = try await IsolationManager.open(configuration: .init(home: home.url, session: session), engines: [DockerEngine()])
        let file = try write(Self.webStack, to: home)
        let environment = try await manager.create(EnvironmentSpec(readyTimeoutSeconds: 300, compose: ComposeSpec(files: [file])))
        let project = try #require(environment.details["compose.project"])
        // Three containers, two networks, one volume.
        #expect(try await leftovers(project: project).count == 6)
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(at: home.url.appendingPathComponent("state.sqlite\(suffix)"))
        }
        // What the session's reaper runs once the last process of the session has gone.
        let done = try CLI.run(["cleanup", "--session", session, "--home", home.url.path])
        #expect(done.status == 0, "\(done.output)")
        #expect(try await leftovers(project: project).isEmpty)
    }
}

extension ComposeStackTests {
    /// `build` with `image`: the first stack builds and tags the name, the next one runs that
    /// image as it is (as Compose does without `--build`).
    @Test func aServiceWithBuildAndImageIsBuiltAndTaggedOnceThenRunByName() async throws {
        let home = try TestHome("compose-build-image")
        let manager = try manager(home)
        let token = UUID().uuidString.prefix(8).lowercased()
        let tag = "ptest-iso-test/compose-built-\(token):1"
        let context = home.url.appendingPathComponent("app")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try "FROM \(Self.busybox)\nRUN echo built-\(token) > /built\nCMD [\"sleep\", \"600\"]\n".write(
            to: context.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
        let file = try write("services:\n  app:\n    build: ./app\n    image: \(tag)\n", to: home)
        defer { Task { _ = try? await withDockerClient(try .fromEnvironment()) { try await $0.removeImage(tag, force: true) } } }

        let first = try await manager.create(EnvironmentSpec(compose: ComposeSpec(files: [file])))
        #expect(try await manager.run(first.id, Command(["cat", "/built"])).stdoutText == "built-\(token)\n")
        let taggedID = try await withDockerClient(try .fromEnvironment()) { try await $0.inspectImage(tag).id }
        try await manager.destroy(first.id)

        // The name now exists: a second stack runs it without building (a changed Dockerfile is not seen).
        try "FROM \(Self.busybox)\nRUN echo rebuilt > /built\nCMD [\"sleep\", \"600\"]\n".write(
            to: context.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
        let second = try await manager.create(EnvironmentSpec(compose: ComposeSpec(files: [file])))
        #expect(try await manager.run(second.id, Command(["cat", "/built"])).stdoutText == "built-\(token)\n")
        let image = try await withDockerClient(try .fromEnvironment()) { try await $0.inspectContainer(second.location).image }
        #expect(image == taggedID)
        try await manager.destroy(second.id)
    }
}
