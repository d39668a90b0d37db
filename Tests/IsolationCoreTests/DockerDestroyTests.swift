import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// Destroy means gone: what a record names, and what the daemon holds under its labels.
@Suite struct DockerDestroyTests {
    @Test func aSessionsRecordLeftCreatingTakesItsRunningContainerWithIt() async throws {
        // Given what a client killed mid-create leaves: a running container with the environment's
        // labels, and the environment's record still `creating`, naming no container
        let home = try TestHome("docker-died-creating")
        let session = "died-creating-\(UUID().uuidString.prefix(8))"
        let id = "env-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let expiresAt = Date().addingTimeInterval(600)
        let labels = ResourceLabels.labels(
            session: session, home: home.url, environment: id, expiresAt: expiresAt.timeIntervalSince1970, cleanup: .endOfSession)
        let owned = ["label": ["\(ResourceLabels.environment)=\(id)"]]
        try await withDockerClient(try .fromEnvironment()) { client in
            var container = ContainerSpec(image: DockerEngineTests.busybox)
            container.name = "ptest-iso-\(id)"
            container.command = ["sleep", "600"]
            container.labels = labels
            let created = try await client.createContainer(container).id
            try await client.startContainer(created)
        }
        let store = try await StateStore.open(at: home.url.appendingPathComponent("state.sqlite"))
        try await store.insertEnvironment(
            Environment(
                id: id, engine: .docker, spec: EnvironmentSpec(image: DockerEngineTests.busybox), status: .creating,
                session: session, labels: labels, createdAt: Date(), expiresAt: expiresAt),
            maxLive: 64)

        // When the session is destroyed
        let manager = try await IsolationManager.open(configuration: .init(home: home.url, session: session), engines: [DockerEngine()])
        let destroyed = try await manager.destroySession()

        // Then the record is destroyed and so is its container
        let left = try await withDockerClient(try .fromEnvironment()) { try await $0.listContainers(all: true, filters: owned) }
        #expect(destroyed == [id])
        #expect(try await manager.get(id).status == .destroyed)
        #expect(left.isEmpty, "left running: \(left.map(\.names))")
        for container in left {
            try? await withDockerClient(try .fromEnvironment()) { try await $0.removeContainer(container.id, force: true) }
        }
    }
}
