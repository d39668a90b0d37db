import DockerAPI
import Foundation

/// A task is given its image by ID: by tag, every task would first ask a registry for it
/// (20–40 s where none answers) before using the node's own copy. So the image must already be
/// on every node the scheduler may choose: the engine loads it there from the manager's daemon.
extension SwarmEngine {
    /// Makes sure every ready node has the image, and returns its ID.
    ///
    /// - Throws: `invalidSpec` naming `image` when the manager's daemon does not have it.
    func distribute(_ reference: String) async throws -> String {
        let imageID: String
        do {
            imageID = try await manager.withClient { try await $0.inspectImage(reference).id }
        } catch let error as IsolationError where error.code == .notFound {
            throw IsolationError(
                .invalidSpec, field: "image",
                "'\(reference)' is not on the swarm manager's daemon (\(settings.manager)); pull, load or build it there first")
        }
        if settings.images == .push, let registry = settings.registry { return try await push(imageID, to: registry) }
        let nodes = try await manager.withClient { try await $0.listNodes() }.filter {
            $0.status?.state == "ready" && $0.spec.availability == "active"
        }
        var missing: [String] = []
        for node in nodes {
            guard let endpoint = try? endpoint(of: node), !knownOnNode(imageID, endpoint) else { continue }
            let has = (try? await engine(at: endpoint).withClient { try await $0.inspectImage(imageID) }) != nil
            if has { markOnNode(imageID, endpoint) } else { missing.append(endpoint) }
        }
        guard !missing.isEmpty else { return imageID }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ptest-iso-swarm-\(UUID().uuidString).tar")
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try await manager.withClient { try await $0.saveImage(imageID, to: file) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for endpoint in missing {
                group.addTask {
                    _ = try await self.engine(at: endpoint).withClient { try await $0.loadImage(from: file) }
                    self.markOnNode(imageID, endpoint)
                }
            }
            try await group.waitForAll()
        }
        return imageID
    }

    /// Pushes the image to the settings' registry (once per image) and returns its reference by
    /// digest: a task pulls exactly that image, or uses the node's copy when it has it.
    private func push(_ imageID: String, to registry: String) async throws -> String {
        let reference = "\(registry)/ptest-iso-swarm:\(imageID.replacingOccurrences(of: "sha256:", with: "").prefix(32))"
        let repository = "\(registry)/ptest-iso-swarm@"
        return try await manager.withClient { client in
            if let known = try? await client.inspectImage(reference), known.id == imageID,
                let digest = known.repoDigests?.first(where: { $0.hasPrefix(repository) })
            {
                return digest
            }
            try await client.tagImage(imageID, as: reference)
            try await client.pushImage(reference)
            guard let digest = try await client.inspectImage(reference).repoDigests?.first(where: { $0.hasPrefix(repository) }) else {
                throw IsolationError(.ioFailure, "pushing \(reference) gave no digest; check swarm.registry (\(registry))")
            }
            return digest
        }
    }
}
