import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// `reuse`: one environment of a spec shared by runs and processes (decision 0007), against the
/// real daemon and real interpreters.
@Suite struct ReuseTests {
    static let busybox = DockerEngineTests.busybox

    /// A manager of `session` with both engines on `home`, and no reaper.
    func manager(_ home: borrowing TestHome, session: String) throws -> IsolationManager {
        try IsolationManager(
            configuration: .init(home: home.url, session: session, environment: ["PTEST_ISO_REAPER": "off"]),
            engines: [VirtualenvEngine(home: home.url), DockerEngine()])
    }

    /// A sandbox of busybox labelled with `token`, so this test's containers are found by label.
    func dockerSpec(_ token: String, ttl: Double? = nil) -> EnvironmentSpec {
        EnvironmentSpec(labels: ["reuse-test": token], ttlSeconds: ttl, image: Self.busybox, mode: .sandbox, reuse: true)
    }

    func containers(_ token: String) async throws -> [ContainerSummary] {
        try await withDockerClient(try .fromEnvironment()) {
            try await $0.listContainers(all: true, filters: ["label": ["reuse-test=\(token)"]])
        }
    }

    func removeContainers(_ token: String) async throws {
        try await withDockerClient(try .fromEnvironment()) { client in
            for container in try await client.listContainers(all: true, filters: ["label": ["reuse-test=\(token)"]]) {
                try? await client.removeContainer(container.id, force: true, removeVolumes: true)
            }
        }
    }

    // MARK: - The spec

    @Test func reuseIsRefusedWithAPolicyOrSecretsItCannotKeep() async throws {
        for policy in [CleanupPolicy.endOfTest, .keep] {
            let error = #expect(throws: IsolationError.self) {
                try EnvironmentSpec(cleanup: policy, image: Self.busybox, reuse: true).validate()
            }
            #expect(error?.code == .invalidSpec && error?.field == "reuse", "\(policy)")
            #expect(error?.message.hasPrefix("reuse: cannot be combined with cleanup: \"\(policy.rawValue)\"") ?? false)
        }
        let secret = #expect(throws: IsolationError.self) {
            try EnvironmentSpec(image: Self.busybox, secrets: [Secret(name: "TOKEN", value: "s3cret")], reuse: true).validate()
        }
        #expect(secret?.field == "reuse" && !(secret?.message.contains("s3cret") ?? true))
        // The default policy and after-ttl both mean after-ttl for a reused environment.
        try EnvironmentSpec(image: Self.busybox, reuse: true).validate()
        try EnvironmentSpec(cleanup: .afterTTL, image: Self.busybox, reuse: true).validate()
    }

    @Test func reuseIsAStrictJSONField() async throws {
        #expect(try EnvironmentSpec.decode(json: Data(#"{"reuse": true}"#.utf8)).reuse)
        #expect(try !EnvironmentSpec.decode(json: Data("{}".utf8)).reuse)
        let error = #expect(throws: IsolationError.self) { try EnvironmentSpec.decode(json: Data(#"{"reuse": "yes"}"#.utf8)) }
        #expect(error?.field == "reuse")
        let typo = #expect(throws: IsolationError.self) { try EnvironmentSpec.decode(json: Data(#"{"reuses": true}"#.utf8)) }
        #expect(typo?.message == "reuses: unknown field; did you mean 'reuse'?")
    }

    @Test func theReuseKeyIgnoresPerRunFieldsOnly() async throws {
        let base = try dockerSpec("key").reuseKey(engine: .docker)
        var perRun = dockerSpec("key", ttl: 60)
        perRun.name = "another run's name"
        perRun.cleanup = .afterTTL
        perRun.reuse = false
        #expect(try perRun.reuseKey(engine: .docker) == base)
        #expect(try dockerSpec("other").reuseKey(engine: .docker) != base)
        var command = dockerSpec("key")
        command.command = ["sleep", "1000"]
        #expect(try command.reuseKey(engine: .docker) != base)
        #expect(try dockerSpec("key").reuseKey(engine: .virtualenv) != base)
        // Stable: a hash of canonical JSON, not of in-memory order.
        let again = try dockerSpec("key").reuseKey(engine: .docker)
        #expect(base.count == 32 && base == again)
    }

    @Test func theReuseKeyFollowsWhatRequirementFilesAndWheelDirectoriesHold() async throws {
        let home = try TestHome("reuse-inputs")
        let requirements = home.url.appendingPathComponent("requirements.txt")
        let wheels = home.url.appendingPathComponent("wheels")
        try FileManager.default.createDirectory(at: wheels, withIntermediateDirectories: true)
        try Data("six==1.16.0\n".utf8).write(to: requirements)
        let spec = EnvironmentSpec(requirementFiles: [requirements.path], findLinks: [wheels.path], offline: true, reuse: true)
        let before = try spec.reuseKey(engine: .virtualenv)
        #expect(try spec.reuseKey(engine: .virtualenv) == before)

        try Data("six==1.17.0\n".utf8).write(to: requirements)
        let edited = try spec.reuseKey(engine: .virtualenv)
        #expect(edited != before)
        try Wheels.make("pti_alpha", "1.0.0", in: wheels)
        #expect(try spec.reuseKey(engine: .virtualenv) != edited)
    }

    // MARK: - Across runs

    @Test(.timeLimit(.minutes(3)))
    func aSecondSessionGetsTheFirstsVenvWhichOutlivesTheFirstSessionUntilItsTTL() async throws {
        let home = try TestHome("reuse-venv")
        let first = try home.manager(session: "run-1")
        let second = try home.manager(session: "run-2")
        let spec = EnvironmentSpec(useTemplateCache: false, reuse: true)

        let made = try await first.create(spec, test: "tests/test_a.py::test_one")
        #expect(made.session == ResourceLabels.reuseSession && made.spec.cleanup == .afterTTL)
        #expect(made.labels[ResourceLabels.reuse] == (try spec.reuseKey(engine: .virtualenv)))
        #expect(made.details["reuse"] == "created")
        // The first run ends: its session's end and its reaper's scope both spare it.
        #expect(try await first.destroySession() == [])
        #expect(try await first.cleanup(.endedSession("run-1")).environments == [])

        let found = try await second.create(spec, test: "tests/test_b.py::test_two")
        #expect(found.id == made.id && found.location == made.location && found.details["reuse"] == "found")
        #expect(FileManager.default.fileExists(atPath: made.location))

        let later = Date().addingTimeInterval(4 * 3600 + 60)
        #expect(try await second.cleanup(.expired).environments == [])
        #expect(try await second.cleanup(.expired, now: later).environments == [made.id])
        #expect(try await second.get(made.id).status == .destroyed)
        #expect(!FileManager.default.fileExists(atPath: made.location))
        // The key's lock file went with the last environment of the key.
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.url.appendingPathComponent("reuse").path).isEmpty)
    }

    @Test(.timeLimit(.minutes(3)))
    func aSecondSessionGetsTheFirstsContainerWhoseRenewedExpiryWinsOverItsLabel() async throws {
        let home = try TestHome("reuse-docker")
        let token = UUID().uuidString.prefix(8).lowercased()
        let first = try manager(home, session: "run-1")
        let second = try manager(home, session: "run-2")

        let made = try await first.create(dockerSpec(token, ttl: 60))
        let labels = try #require(try await containers(token).first?.labels)
        #expect(labels[ResourceLabels.reuse] == made.labels[ResourceLabels.reuse])
        #expect(labels[ResourceLabels.session] == ResourceLabels.reuseSession)
        #expect(labels[ResourceLabels.cleanup] == CleanupPolicy.afterTTL.rawValue)
        #expect(try await first.destroySession() == [])
        #expect(try await first.cleanup(.endedSession("run-1")).isEmpty)

        // Reused with a longer TTL: the record's expiry is renewed, the label keeps the first one.
        let found = try await second.create(dockerSpec(token, ttl: 3600))
        #expect(found.id == made.id && found.location == made.location)
        #expect(try await containers(token).map(\.id) == [made.location])
        let pastTheLabel = Date().addingTimeInterval(600)
        let report = try await second.cleanup(.expired, now: pastTheLabel)
        #expect(report.environments.isEmpty && report.containers.isEmpty)
        #expect(try await containers(token).first?.state == "running")

        let pastTheRenewal = Date().addingTimeInterval(3600 + 60)
        #expect(try await second.cleanup(.expired, now: pastTheRenewal).environments == [made.id])
        #expect(try await containers(token).isEmpty)
    }

    @Test(.timeLimit(.minutes(3)))
    func aReusedContainerThatIsGoneOrWhoseImageChangedIsReplaced() async throws {
        let home = try TestHome("reuse-replace")
        let token = UUID().uuidString.prefix(8).lowercased()
        let tag = "ptest-iso-test/reuse-\(token):1"
        let manager = try manager(home, session: "replacing")
        try await withDockerClient(try .fromEnvironment()) { try await $0.tagImage(Self.busybox, as: tag) }
        do {
            var spec = dockerSpec(token)
            spec.image = tag
            let made = try await manager.create(spec)
            try await withDockerClient(try .fromEnvironment()) { try await $0.removeContainer(made.location, force: true) }
            let second = try await manager.create(spec)
            #expect(second.id != made.id && second.details["reuse"] == "created")
            #expect(try await manager.get(made.id).status == .destroyed)

            // The tag now names another image: the next run gets a container of it.
            try await withDockerClient(try .fromEnvironment()) { client in
                let changed = try await client.commitContainer(second.location)
                try await client.tagImage(changed, as: tag)
            }
            let third = try await manager.create(spec)
            #expect(third.id != second.id && third.details["reuse"] == "created")
            #expect(try await manager.get(second.id).status == .destroyed)
            #expect(try await containers(token).map(\.id) == [third.location])
            try await manager.destroy(third.id)
        } catch {
            try await removeContainers(token)
            _ = try? await withDockerClient(try .fromEnvironment()) { try await $0.removeImage(tag, force: true) }
            throw error
        }
        _ = try? await withDockerClient(try .fromEnvironment()) { try await $0.removeImage(tag, force: true) }
    }

    // MARK: - At once

    @Test(.timeLimit(.minutes(3)))
    func fourManagersWithTheirOwnStoresAskingAtOnceShareOneVenv() async throws {
        let home = try TestHome("reuse-race")
        let managers = try (0..<4).map { try home.manager(session: "racer-\($0)") }
        let spec = EnvironmentSpec(useTemplateCache: false, reuse: true)
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for manager in managers { group.addTask { try await manager.create(spec).id } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(ids.count == 4 && Set(ids).count == 1)
        let all = try await managers[0].list(EnvironmentFilter(liveOnly: false))
        #expect(all.map(\.id) == [ids[0]])
        #expect(try FileManager.default.contentsOfDirectory(atPath: home.url.appendingPathComponent("envs").path).count == 1)
        try await managers[0].destroy(ids[0])
    }

    @Test(.timeLimit(.minutes(3)))
    func fourProcessesAskingAtOnceEndWithOneContainer() async throws {
        let home = try TestHome("reuse-processes")
        let token = UUID().uuidString.prefix(8).lowercased()
        let barrier = home.url.appendingPathComponent("barrier")
        try FileManager.default.createDirectory(at: barrier, withIntermediateDirectories: true)
        let outputs = try (0..<4).map { _ in home.url.appendingPathComponent("out-\(UUID().uuidString)") }
        let processes = try outputs.enumerated().map { index, output in
            FileManager.default.createFile(atPath: output.path, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ConcurrencyTests.stressTool)
            process.arguments = [home.url.path, "worker-\(index)", "1", "--reuse", Self.busybox, token, barrier.path]
            process.standardOutput = try FileHandle(forWritingTo: output)
            try process.run()
            return process
        }
        // Every process has its manager open: let them all ask at once.
        let deadline = ContinuousClock.now + .seconds(60)
        while try FileManager.default.contentsOfDirectory(atPath: barrier.path).count < 4 {
            #expect(ContinuousClock.now < deadline, "the workers did not all open their managers")
            try await Task.sleep(for: .milliseconds(10))
        }
        FileManager.default.createFile(atPath: barrier.appendingPathComponent("go").path, contents: nil)
        for process in processes {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0)
        }
        let lines = try outputs.map {
            try String(contentsOf: $0, encoding: .utf8).trimmingCharacters(in: .newlines).split(separator: " ").map(String.init)
        }
        #expect(Set(lines.map { $0.dropFirst().first }).count == 1, "\(lines)")
        #expect(lines.map { $0.last ?? "" }.sorted() == ["created", "found", "found", "found"])
        let found = try await containers(token)
        #expect(found.count == 1)
        #expect(found.first?.labels?[ResourceLabels.session] == ResourceLabels.reuseSession)
        #expect(found.first.map { lines[0].contains($0.id) } ?? false)
        let manager = try manager(home, session: "observer")
        #expect(try await manager.list(EnvironmentFilter(liveOnly: false)).count == 1)
        try await manager.destroy(try #require(lines[0].dropFirst().first))
        #expect(try await containers(token).isEmpty)
    }

    // MARK: - The CLI

    @Test(.timeLimit(.minutes(3)))
    func theCLICreatesWithReuseListsAndRemovesReusedEnvironments() async throws {
        let home = try TestHome("reuse-cli")
        let state = ["--home", home.url.path]
        let spec = home.url.appendingPathComponent("spec.json")
        try Data(#"{"use_template_cache": false}"#.utf8).write(to: spec)
        let first = try CLI.run(["create", "--spec", spec.path, "--reuse"] + state)
        #expect(first.status == 0, "\(first.output)")
        let second = try CLI.run(["create", "--spec", spec.path, "--reuse"] + state)
        let id = first.stdout.trimmingCharacters(in: .newlines)
        #expect(second.stdout == first.stdout && id.hasPrefix("env-"))
        let plain = try CLI.run(["create", "--spec", spec.path] + state)
        let plainID = plain.stdout.trimmingCharacters(in: .newlines)

        let listed = try CLI.run(["ls", "--reused"] + state)
        let header = listed.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(header.contains("SESSION") && header.contains("SHARED"))
        // The table shows ids as docker does, 12 characters.
        #expect(listed.stdout.contains(id.prefix(12)) && !listed.stdout.contains(plainID.prefix(12)))
        let row = listed.stdout.split(separator: "\n").first { $0.contains(id.prefix(12)) }.map(String.init) ?? ""
        #expect(row.contains(ResourceLabels.reuseSession))
        let inspected = try CLI.run(["inspect", id, "--json"] + state).stdout
        let record = try #require(try JSONSerialization.jsonObject(with: Data(inspected.utf8)) as? [String: Any])
        let reuseKey = try #require((record["labels"] as? [String: String])?[ResourceLabels.reuse])
        #expect(row.contains("reuse \(reuseKey.prefix(12))"))
        let all = try CLI.run(["ls"] + state)
        #expect(all.stdout.contains(id.prefix(12)) && all.stdout.contains(plainID.prefix(12)))
        #expect(try CLI.run(["ls", "--reused", "--session", "x"] + state).status != 0)
        let refused = try CLI.run(["create", "--spec", spec.path, "--reuse", "--keep"] + state)
        #expect(refused.status != 0 && refused.stderr.contains("reuse: cannot be combined with cleanup: \"keep\""))

        #expect(try CLI.run(["rm", id, plainID] + state).status == 0)
        #expect(try CLI.run(["ls", "--reused"] + state).stdout == "no environments\n")
    }
}
