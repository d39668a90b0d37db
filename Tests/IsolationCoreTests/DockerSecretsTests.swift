import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// Secrets reach the container and nothing of ours keeps their values.
@Suite struct DockerSecretsTests {
    static let busybox = DockerEngineTests.busybox
    static let session = "docker-secrets-tests"

    /// Every file under `directory` (the database, its WAL, metadata files) that holds `needle`.
    func files(under directory: URL, containing needle: String) throws -> [String] {
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
        var hits: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            if try Data(contentsOf: url).range(of: Data(needle.utf8)) != nil { hits.append(url.path) }
        }
        return hits
    }

    @Test func secretsAreVisibleInsideButNeverStored() async throws {
        let home = try TestHome("docker-secrets")
        let manager = try await IsolationManager.open(
            configuration: .init(home: home.url, session: Self.session), engines: [VirtualenvEngine(home: home.url), DockerEngine()])
        let token = "tok-\(UUID().uuidString)"
        let password = "pw-\(UUID().uuidString)"
        let environment = try await manager.create(
            EnvironmentSpec(
                image: Self.busybox, user: "1234:1234",
                secrets: [Secret(name: "API_TOKEN", value: token), Secret(name: "db_password", value: password, as: .file)]))
        let inside = try await manager.run(
            environment.id,
            Command(["sh", "-c", #"echo "$API_TOKEN"; cat /run/secrets/db_password; echo; stat -c '%a %u' /run/secrets/db_password"#]))
        #expect(inside.stdoutText == "\(token)\n\(password)\n400 1234\n", "\(inside.stderrText)")

        // The recorded environment keeps the names, not the values.
        let recorded = try await manager.get(environment.id)
        #expect(recorded.spec.secrets.map(\.name) == ["API_TOKEN", "db_password"])
        #expect(recorded.spec.secrets.allSatisfy { $0.value == nil })
        let json = String(decoding: try JSONEncoder().encode(recorded), as: UTF8.self)
        #expect(!json.contains(token) && !json.contains(password))

        // A snapshot image does not keep the variable either.
        let snapshot = try await manager.snapshot(environment.id, name: "secrets-\(environment.id)")
        let imageEnvironment = try await withDockerClient(try .fromEnvironment()) {
            try await $0.inspectImage(snapshot.location).config?.env
        }
        #expect(imageEnvironment?.contains("API_TOKEN=") == true)
        #expect(imageEnvironment?.contains { $0.contains(token) } == false)

        // Neither the state database (with its WAL) nor any other file of the state directory holds a value.
        for needle in [token, password] {
            #expect(try files(under: home.url, containing: needle).isEmpty)
        }
        // A restored environment gets no secrets, and says so.
        let restored = try await manager.restore(snapshot.id)
        #expect(restored.details["secrets_not_given"] == "API_TOKEN,db_password")
        let after = try await manager.run(restored.id, Command(["sh", "-c", #"echo "[$API_TOKEN]"; ls /run/secrets"#]))
        #expect(after.stdoutText == "[]\n", "\(after.stderrText)")
        try await manager.destroySession()
        try await manager.deleteSnapshot(snapshot.id)
    }

    @Test func aSnapshotImageAndItsArchiveHoldNoSecretValue() async throws {
        // Given an environment given an env secret
        let home = try TestHome("docker-secret-snapshot")
        let manager = try await IsolationManager.open(
            configuration: .init(home: home.url, session: Self.session + "-snapshot"), engines: [DockerEngine()])
        let token = "tok-\(UUID().uuidString)"
        let environment = try await manager.create(
            EnvironmentSpec(image: Self.busybox, secrets: [Secret(name: "API_TOKEN", value: token)]))
        // When it is snapshotted and the snapshot exported
        let snapshot = try await manager.snapshot(environment.id, name: "secret-\(environment.id)")
        let archive = home.url.appendingPathComponent("snapshot.tar")
        try await manager.exportSnapshot(snapshot.id, to: archive)
        // Then no part of the image's description (Config, ContainerConfig, …) nor of the archive holds the value
        let described = try await withDockerClient(try .fromEnvironment()) { try await $0.inspectImageJSON(snapshot.location) }
        #expect(described.range(of: Data(token.utf8)) == nil)
        #expect(String(decoding: described, as: UTF8.self).contains("\"API_TOKEN=\""))
        #expect(try Data(contentsOf: archive).range(of: Data(token.utf8)) == nil)
        // And the environment still sees its secret; the restored one is documented to get none, and says so
        let inside = try await manager.run(environment.id, Command(["sh", "-c", #"echo "$API_TOKEN""#]))
        #expect(inside.stdoutText == "\(token)\n")
        let restored = try await manager.restore(snapshot.id)
        #expect(restored.details["secrets_not_given"] == "API_TOKEN")
        let after = try await manager.run(restored.id, Command(["sh", "-c", #"echo "[$API_TOKEN]""#]))
        #expect(after.stdoutText == "[]\n", "\(after.stderrText)")
        try await manager.destroySession()
        try await manager.deleteSnapshot(snapshot.id)
    }
}
