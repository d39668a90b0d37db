import DockerAPI
import Foundation
import Synchronization
import Testing

/// The local registries of `scripts/registry.sh`: an open one and one with htpasswd auth.
enum TestRegistry {
    static let environment = ProcessInfo.processInfo.environment
    static let open = environment["PTEST_ISO_REGISTRY"] ?? "127.0.0.1:5000"
    static let authenticated = environment["PTEST_ISO_REGISTRY_AUTH"] ?? "127.0.0.1:5001"
    static let user = environment["PTEST_ISO_REGISTRY_USER"] ?? "ptest"
    static let password = environment["PTEST_ISO_REGISTRY_PASSWORD"] ?? "ptest-secret"

    /// Starts both registries (a fast no-op when they already answer).
    static func start() throws {
        try TestDocker.runScript("registry.sh", "start")
    }

    static func reference(_ registry: String) -> String {
        "\(registry)/ptest-iso/busybox:\(UUID().uuidString.prefix(8).lowercased())"
    }
}

@Suite(.serialized) struct RegistryTests {
    @Test func pushThenPullRoundTripsAnImageWithProgress() async throws {
        try TestRegistry.start()
        try await TestDocker.withClient { client in
            let reference = TestRegistry.reference(TestRegistry.open)
            try await client.tagImage(TestDocker.busybox, as: reference)
            let pushed = Mutex<[String]>([])
            try await client.pushImage(reference) { event in
                if let status = event.status { pushed.withLock { $0.append(status) } }
            }
            #expect(pushed.withLock { $0.contains { $0.contains("digest: sha256:") } })
            try await client.removeImage(reference)

            let pulled = Mutex<[String]>([])
            try await client.pullImage(reference, platform: "linux/amd64") { event in
                if let status = event.status { pulled.withLock { $0.append(status) } }
            }
            #expect(pulled.withLock { $0.contains { $0.hasPrefix("Pulling from ptest-iso/busybox") } })
            #expect(try await client.inspectImage(reference).id == (try await client.inspectImage(TestDocker.busybox).id))
            try await client.removeImage(reference)
        }
    }

    @Test func aMissingTagIsNotFound() async throws {
        try TestRegistry.start()
        try await TestDocker.withClient { client in
            let error = await #expect(throws: DockerError.self) {
                try await client.pullImage("\(TestRegistry.open)/ptest-iso/never-pushed:nope")
            }
            #expect(error?.code == .notFound)
            #expect(error?.message.contains("manifest unknown") == true)
        }
    }

    @Test func credentialsAreSentToAnAuthenticatedRegistry() async throws {
        try TestRegistry.start()
        try await TestDocker.withClient { client in
            let reference = TestRegistry.reference(TestRegistry.authenticated)
            try await client.tagImage(TestDocker.busybox, as: reference)
            try await TestDocker.withCleanup({ _ = try await $0.removeImage(reference) }) {
                let anonymous = await #expect(throws: DockerError.self) { try await client.pushImage(reference) }
                #expect(anonymous?.code == .unauthorized)

                let good = RegistryAuth(
                    username: TestRegistry.user, password: TestRegistry.password, serverAddress: TestRegistry.authenticated)
                try await client.pushImage(reference, auth: good)
                try await client.removeImage(reference)

                let bad = RegistryAuth(username: TestRegistry.user, password: "wrong", serverAddress: TestRegistry.authenticated)
                let refused = await #expect(throws: DockerError.self) { try await client.pullImage(reference, auth: bad) }
                #expect(refused?.code == .unauthorized)
                #expect(refused?.message.contains("pulling \(reference) failed") == true)

                try await client.pullImage(reference, auth: good)
                #expect(try await client.inspectImage(reference).repoTags?.contains(reference) == true)
            }
        }
    }
}
