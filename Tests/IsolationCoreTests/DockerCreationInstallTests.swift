import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// A Docker spec's `requirements`, installed at creation with the container's pip from wheels
/// made here (no index is reachable), against the real daemon and the Debian python image.
@Suite struct DockerCreationInstallTests {
    static let python = DockerEngineTests.python
    static let busybox = DockerEngineTests.busybox

    func manager(_ home: borrowing TestHome, session: String) throws -> IsolationManager {
        try IsolationManager(
            configuration: .init(home: home.url, session: session), engines: [VirtualenvEngine(home: home.url), DockerEngine()])
    }

    func containers(labelled label: String) async throws -> [ContainerSummary] {
        try await withDockerClient(try .fromEnvironment()) { try await $0.listContainers(all: true, filters: ["label": [label]]) }
    }

    @Test func requirementsFilesAndConstraintsInstallFromMountedWheelsAndARestoreKeepsThem() async throws {
        let home = try TestHome("docker-reqs")
        let manager = try manager(home, session: "docker-reqs-\(UUID().uuidString.prefix(6))")
        let wheels = home.url.appendingPathComponent("wheels")
        try Wheels.make("ptiso_created", "1.0.0", in: wheels)
        try Wheels.make("ptiso_created", "2.0.0", in: wheels)
        try Wheels.make("ptiso_listed", "3.0.0", in: wheels)
        let requirementFile = home.url.appendingPathComponent("requirements.txt")
        try Data("ptiso_listed\n".utf8).write(to: requirementFile)
        let constraintFile = home.url.appendingPathComponent("constraints.txt")
        try Data("ptiso_created==1.0.0\n".utf8).write(to: constraintFile)

        let environment = try await manager.create(
            EnvironmentSpec(
                requirements: ["ptiso_created"], requirementFiles: [requirementFile.path], constraintFiles: [constraintFile.path],
                findLinks: [wheels.path], offline: true, withPip: true, image: Self.python))
        // Offline needs no network: the container keeps none.
        #expect(environment.details["network"] == "none")
        let script = "import ptiso_created, ptiso_listed; print(ptiso_created.VERSION, ptiso_listed.VERSION)"
        let imported = try await manager.run(environment.id, Command(["python3", "-c", script]))
        #expect(imported.stdoutText == "1.0.0 3.0.0\n", "\(imported.stderrText)")
        // The host's wheels are visible read-only, not copied.
        let write = try await manager.run(environment.id, Command(["sh", "-c", "touch /run/ptest-iso/packages/find-links/*/x"]))
        #expect(write.exitCode != 0)

        // A restore's image has the packages: nothing is installed again (the wheels are gone).
        let snapshot = try await manager.snapshot(environment.id)
        try FileManager.default.removeItem(at: wheels)
        let restored = try await manager.restore(snapshot.id)
        let again = try await manager.run(restored.id, Command(["python3", "-c", script]))
        #expect(again.stdoutText == "1.0.0 3.0.0\n", "\(again.stderrText)")

        try await manager.destroySession()
        try await manager.deleteSnapshot(snapshot.id)
    }

    @Test func aFailedInstallFailsTheCreateWithTheInstallersOutputAndLeavesNoContainer() async throws {
        let home = try TestHome("docker-reqs-fail")
        let session = "docker-reqs-fail-\(UUID().uuidString.prefix(6))"
        let manager = try manager(home, session: session)
        let wheels = home.url.appendingPathComponent("wheels")
        try Wheels.make("ptiso_present", "1.0.0", in: wheels)
        let error = await #expect(throws: IsolationError.self) {
            try await manager.create(
                EnvironmentSpec(requirements: ["ptiso_absent==9.9"], findLinks: [wheels.path], offline: true, image: Self.python))
        }
        #expect(error?.code == .installFailed)
        #expect(error?.message.hasPrefix("requirements: installing ptiso_absent==9.9") == true, "\(error?.message ?? "")")
        // pip's own words.
        #expect(error?.message.contains("No matching distribution found for ptiso_absent==9.9") == true, "\(error?.message ?? "")")
        let failed = try #require(try await manager.list(EnvironmentFilter(liveOnly: false)).first)
        #expect(failed.status == .failed)
        #expect(try await containers(labelled: "ptest-iso.environment=\(failed.id)").isEmpty)
        #expect(try await containers(labelled: "ptest-iso.session=\(session)").isEmpty)
    }

    @Test func specsThatCannotInstallAreRefusedNamingTheField() async throws {
        let home = try TestHome("docker-reqs-refused")
        let session = "docker-reqs-refused-\(UUID().uuidString.prefix(6))"
        let manager = try manager(home, session: session)
        let wheels = home.url.appendingPathComponent("wheels")
        try Wheels.make("ptiso_present", "1.0.0", in: wheels)

        // An index install without a network: refused before anything is made.
        let noNetwork = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(requirements: ["ptiso_present"], image: Self.python, network: "none"))
        }
        #expect(noNetwork?.code == .invalidSpec)
        #expect(noNetwork?.message.hasPrefix("network: \"none\"") == true, "\(noNetwork?.message ?? "")")
        #expect(try await manager.list(EnvironmentFilter(liveOnly: false)).isEmpty)
        // Offline, the same spec needs no network.
        let offline = try await manager.create(
            EnvironmentSpec(requirements: ["ptiso_present"], findLinks: [wheels.path], offline: true, image: Self.python, network: "none"))
        try await manager.destroy(offline.id)

        let missing = await #expect(throws: IsolationError.self) {
            try await manager.create(
                EnvironmentSpec(
                    requirements: ["x"], findLinks: [home.url.appendingPathComponent("nowhere").path], offline: true, image: Self.python))
        }
        #expect(missing?.code == .invalidSpec)
        #expect(missing?.message.hasPrefix("find_links[0]:") == true, "\(missing?.message ?? "")")

        let noPython = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(requirements: ["x"], findLinks: [wheels.path], offline: true, image: Self.busybox))
        }
        #expect(noPython?.code == .invalidSpec)
        #expect(
            noPython?.message.hasPrefix("requirements: the image '\(Self.busybox)' has no python3") == true, "\(noPython?.message ?? "")")
        #expect(try await containers(labelled: "ptest-iso.session=\(session)").isEmpty)
    }

    @Test func anImageWithoutPipNeedsWithPipAndSaysWhenEnsurepipCannotAddIt() async throws {
        let home = try TestHome("docker-reqs-nopip")
        let session = "docker-reqs-nopip-\(UUID().uuidString.prefix(6))"
        let manager = try manager(home, session: session)
        let wheels = home.url.appendingPathComponent("wheels")
        try Wheels.make("ptiso_present", "1.0.0", in: wheels)
        let context = home.url.appendingPathComponent("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try "FROM \(Self.python)\nRUN rm -rf /usr/lib/python3/dist-packages/pip\n".write(
            to: context.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
        let tag = "ptest-iso-test/python-nopip:\(UUID().uuidString.prefix(8).lowercased())"
        try await withDockerClient(try .fromEnvironment()) {
            _ = try await $0.buildImage(ImageBuildOptions(contextDirectory: context, tags: [tag], labels: ["ptest-iso.test": "1"]))
        }

        let spec = EnvironmentSpec(requirements: ["ptiso_present"], findLinks: [wheels.path], offline: true, image: tag)
        let noPip = await #expect(throws: IsolationError.self) { try await manager.create(spec) }
        #expect(noPip?.code == .installFailed)
        #expect(
            noPip?.message.hasPrefix("requirements: the image's python3 has no pip; set with_pip: true") == true, "\(noPip?.message ?? "")")
        var withPip = spec
        withPip.withPip = true
        // Debian disables ensurepip for its system Python: the error says so in its words.
        let refused = await #expect(throws: IsolationError.self) { try await manager.create(withPip) }
        #expect(refused?.code == .installFailed)
        #expect(refused?.message.hasPrefix("with_pip: the image's python3 has no pip and ensurepip could not add it") == true)
        #expect(refused?.message.contains("ensurepip is disabled") == true, "\(refused?.message ?? "")")
        #expect(try await containers(labelled: "ptest-iso.session=\(session)").isEmpty)
        _ = try await withDockerClient(try .fromEnvironment()) { try await $0.removeImage(tag, force: true) }
    }
}
