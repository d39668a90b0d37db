import DockerAPI
import Foundation
import IsolationCore
import Synchronization
import TestSupport
import Testing

/// An image the daemon lacks is pulled, as `docker run` and testcontainers do — from the open
/// local registry of `scripts/registry.sh` (no other registry is reachable here).
@Suite(.serialized) struct DockerPullTests {
    static let registry = ProcessInfo.processInfo.environment["PTEST_ISO_REGISTRY"] ?? "127.0.0.1:5000"

    static func startRegistry() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/registry.sh").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "start"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw IsolationError(.ioFailure, "registry.sh start failed") }
    }

    @Test func aMissingImageIsPulledAndAnUnknownOneIsAnErrorNamingIt() async throws {
        try Self.startRegistry()
        let reference = "\(Self.registry)/ptest-iso-pull/busybox:\(UUID().uuidString.prefix(8).lowercased())"
        let home = try TestHome("docker-pull")
        // A layer of its own (random bytes), so the pull downloads something and reports its bytes.
        // The tag in the command keeps the build cache from giving it a layer of an earlier run's
        // image, which a run stopped before its removal leaves (the pull would download nothing).
        let context = home.url.appendingPathComponent("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try Data("FROM \(DockerEngineTests.busybox)\nRUN echo \(reference) > /reference && head -c 3000000 /dev/urandom > /blob\n".utf8)
            .write(to: context.appendingPathComponent("Dockerfile"))
        try await withDockerClient(try .fromEnvironment()) { client in
            _ = try await client.buildImage(ImageBuildOptions(contextDirectory: context, tags: [reference]))
            try await client.pushImage(reference)
            try await client.removeImage(reference)
        }
        let manager = try await IsolationManager.open(configuration: .init(home: home.url, session: "pull"), engines: [DockerEngine()])
        let events = manager.events()
        let environment = try await manager.create(EnvironmentSpec(image: reference))
        #expect(try await manager.run(environment.id, Command(["echo", "pulled"])).stdoutText == "pulled\n")
        // What the pull said, in order: its start, its bytes, its end with the time it took.
        let said = await withTaskGroup(of: [String].self) { group in
            group.addTask {
                var details: [String] = []
                for await event in events where event.kind == .progress && (event.detail?.contains(reference) ?? false) {
                    details.append(event.detail ?? "")
                    if event.detail?.hasPrefix("pulled \(reference) in ") ?? false { break }
                }
                return details
            }
            group.addTask {
                try? await Task.sleep(for: .seconds(30))
                return []
            }
            let first = await group.next() ?? []
            group.cancelAll()
            return first
        }
        #expect(said.first == "pulling \(reference)", "\(said)")
        #expect(said.contains { $0.hasPrefix("pulling \(reference): ") && $0.hasSuffix(" downloaded") }, "\(said)")
        #expect(said.last?.hasPrefix("pulled \(reference) in ") ?? false, "\(said)")
        try await manager.destroy(environment.id)

        let missing = "\(Self.registry)/ptest-iso-pull/never-pushed:nope"
        let error = await #expect(throws: IsolationError.self) { try await manager.create(EnvironmentSpec(image: missing)) }
        #expect(error?.code == .invalidSpec)
        #expect(
            error?.message.hasPrefix("image: '\(missing)' is not on the daemon and could not be pulled") == true, "\(error?.message ?? "")")
        _ = try await withDockerClient(try .fromEnvironment()) { try await $0.removeImage(reference) }
    }

    /// The authenticated registry of `scripts/registry.sh`: pulls carry what `docker login`
    /// would have left, from the config file or a credential helper; without it the error says
    /// to log in. Jobs pull the same way.
    @Test func aPrivateImageIsPulledWithTheDockerConfigsCredentials() async throws {
        try Self.startRegistry()
        let registry = ProcessInfo.processInfo.environment["PTEST_ISO_REGISTRY_AUTH"] ?? "127.0.0.1:5001"
        let (user, password) = ("ptest", ProcessInfo.processInfo.environment["PTEST_ISO_REGISTRY_PASSWORD"] ?? "ptest-secret")
        let reference = "\(registry)/ptest-iso-pull/private:\(UUID().uuidString.prefix(8).lowercased())"
        try await withDockerClient(try .fromEnvironment()) { client in
            try await client.tagImage(DockerEngineTests.busybox, as: reference)
            try await client.pushImage(reference, auth: RegistryAuth(username: user, password: password, serverAddress: registry))
            try await client.removeImage(reference)
        }
        let home = try TestHome("docker-pull-private")
        func manager(_ config: String) throws -> IsolationManager {
            let directory = home.url.appendingPathComponent("docker-config-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(config.utf8).write(to: directory.appendingPathComponent("config.json"))
            var environment = ProcessInfo.processInfo.environment
            environment["DOCKER_CONFIG"] = directory.path
            return try IsolationManager(
                configuration: .init(home: home.url, session: "pull-private"), engines: [DockerEngine(environment: environment)])
        }
        func authsConfig(password: String) -> String {
            let auth = Data("\(user):\(password)".utf8).base64EncodedString()
            return #"{"auths": {"\#(registry)": {"auth": "\#(auth)"}}}"#
        }
        func removeLocalCopy() async throws {
            _ = try await withDockerClient(try .fromEnvironment()) { try await $0.removeImage(reference) }
        }

        let anonymous = try manager("{}")
        let refused = await #expect(throws: IsolationError.self) { try await anonymous.create(EnvironmentSpec(image: reference)) }
        #expect(refused?.code == .invalidSpec)
        #expect(refused?.message.contains("\(registry) refused an anonymous pull") == true, "\(refused?.message ?? "")")
        #expect(refused?.message.hasSuffix("run `docker login \(registry)`") == true)

        let loggedIn = try manager(authsConfig(password: password))
        let environment = try await loggedIn.create(EnvironmentSpec(image: reference))
        #expect(try await loggedIn.run(environment.id, Command(["echo", "pulled"])).stdoutText == "pulled\n")
        try await loggedIn.destroy(environment.id)
        try await removeLocalCopy()

        let job = try await loggedIn.runJob(JobSpec(image: reference, command: ["echo", "job pulled"]))
        #expect(job.stdout == "job pulled\n")
        try await removeLocalCopy()

        let wrong = try manager(authsConfig(password: "wrong"))
        let rejected = await #expect(throws: IsolationError.self) { try await wrong.create(EnvironmentSpec(image: reference)) }
        #expect(rejected?.message.contains("refused the credentials in") == true, "\(rejected?.message ?? "")")
    }
}
