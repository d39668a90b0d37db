import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// `shared`: one environment of a spec per test session, found by the session's other processes
/// (pytest-xdist workers) and ended with the session, against the real daemon.
@Suite struct SharedEnvironmentTests {
    static let busybox = DockerEngineTests.busybox

    /// A manager of `session` on `home`, with no reaper (each test ends its session itself).
    func manager(_ home: borrowing TestHome, session: String) throws -> IsolationManager {
        try IsolationManager(
            configuration: .init(home: home.url, session: session, environment: ["PTEST_ISO_REAPER": "off"]),
            engines: [DockerEngine()])
    }

    /// The containers and networks labelled with the compose project.
    func resources(of project: String) async throws -> [String] {
        try await withDockerClient(try .fromEnvironment()) { client in
            let filter = ["label": ["com.docker.compose.project=\(project)"]]
            let containers = try await client.listContainers(all: true, filters: filter).map(\.id)
            return try await containers + client.listNetworks(filters: filter).map(\.name)
        }
    }

    static let stack = """
        services:
          web:
            image: \(busybox)
            command: ["sh", "-c", "echo up > /www/index.html && exec httpd -f -p 8080 -h /www"]
            tmpfs: [/www]
            ports: ["8080"]
          cache:
            image: \(busybox)
            command: ["sleep", "3600"]
        """

    @Test func sharedIsAStrictFieldRefusedWithWhatItCannotKeep() async throws {
        #expect(try EnvironmentSpec.decode(json: Data(#"{"shared": true}"#.utf8)).shared)
        let typed = #expect(throws: IsolationError.self) { try EnvironmentSpec.decode(json: Data(#"{"shared": 1}"#.utf8)) }
        #expect(typed?.field == "shared")
        let cases: [(EnvironmentSpec, String)] = [
            (EnvironmentSpec(image: Self.busybox, reuse: true, shared: true), "shared: cannot be combined with reuse"),
            (EnvironmentSpec(cleanup: .endOfTest, image: Self.busybox, shared: true), "shared: cannot be combined with cleanup"),
            (
                EnvironmentSpec(image: Self.busybox, secrets: [Secret(name: "TOKEN", value: "s3cret")], shared: true),
                "shared: cannot be combined with secrets"
            ),
        ]
        for (spec, message) in cases {
            let error = #expect(throws: IsolationError.self) { try spec.validate() }
            #expect(error?.code == .invalidSpec && error?.field == "shared", "\(message)")
            #expect(error?.message.hasPrefix(message) ?? false, "\(error?.message ?? "")")
            #expect(!(error?.message.contains("s3cret") ?? true))
        }
        try EnvironmentSpec(cleanup: .keep, image: Self.busybox, shared: true).validate()
        // The key does not depend on `shared` itself: a shared and a plain spec are the same environment.
        var plain = EnvironmentSpec(image: Self.busybox, shared: true)
        let key = try plain.reuseKey(engine: .docker)
        plain.shared = false
        #expect(try plain.reuseKey(engine: .docker) == key)
    }

    @Test(.timeLimit(.minutes(5)))
    func workersOfOneSessionAskingAtOnceShareOneStackThatEndsWithTheSession() async throws {
        let home = try TestHome("shared-stack")
        let file = home.url.appendingPathComponent("compose.yaml")
        try Self.stack.write(to: file, atomically: true, encoding: .utf8)
        let session = "shared-\(UUID().uuidString.prefix(8).lowercased())"
        // Three "workers": managers with their own stores and Docker clients, one session.
        let workers = try (0..<3).map { _ in try manager(home, session: session) }
        let spec = EnvironmentSpec(readyTimeoutSeconds: 300, shared: true, compose: ComposeSpec(files: [file.path]))
        let made = try await withThrowingTaskGroup(of: Environment.self) { group in
            for (index, worker) in workers.enumerated() {
                group.addTask { try await worker.create(spec, test: "tests/test_\(index).py::test") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(made.map(\.id)).count == 1, "\(made.map(\.id))")
        let stack = made[0]
        #expect(made.map { $0.details["shared"] ?? "" }.sorted() == ["created", "found", "found"])
        let key = try spec.reuseKey(engine: .docker)
        #expect(stack.session == session && stack.labels[ResourceLabels.shared] == key)
        let project = try #require(stack.details["compose.project"])
        // Two services and the stack's network, made once.
        #expect(try await resources(of: project).count == 3)

        // Another session gets its own.
        let other = try manager(home, session: "\(session)-other")
        let theirs = try await other.create(spec)
        #expect(theirs.id != stack.id && theirs.details["shared"] == "created")
        #expect(try await other.destroySession() == [theirs.id])

        // The session's end takes it, its resources and the key's lock file.
        #expect(try await workers[0].destroySession() == [stack.id])
        #expect(try await resources(of: project).isEmpty)
        let locks = home.url.appendingPathComponent("shared")
        #expect(try FileManager.default.contentsOfDirectory(atPath: locks.path).isEmpty)
        for worker in workers + [other] { await worker.shutdown() }
    }

    @Test(.timeLimit(.minutes(3)))
    func aSharedContainerThatIsGoneIsReplacedAndRestoredCopiesAreNotShared() async throws {
        let home = try TestHome("shared-replace")
        let session = "shared-\(UUID().uuidString.prefix(8).lowercased())"
        let manager = try manager(home, session: session)
        let spec = EnvironmentSpec(image: Self.busybox, mode: .sandbox, shared: true)
        let first = try await manager.create(spec)
        try await withDockerClient(try .fromEnvironment()) { try await $0.removeContainer(first.location, force: true) }
        let second = try await manager.create(spec)
        #expect(second.id != first.id && second.details["shared"] == "created")
        #expect(try await manager.get(first.id).status == .destroyed)
        #expect(try await manager.create(spec).id == second.id)

        let snapshot = try await manager.snapshot(second.id, name: "shared-\(session)")
        let copy = try await manager.restore(snapshot.id)
        #expect(!copy.spec.shared && copy.labels[ResourceLabels.shared] == nil)
        try await manager.destroy(copy.id)
        try await manager.deleteSnapshot(snapshot.id)
        #expect(try await manager.destroySession() == [second.id])
        await manager.shutdown()
    }
}
