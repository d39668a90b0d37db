import DockerAPI
import Foundation

/// Leftovers on the engine's daemon, found by label, so cleanup works with the database gone.
extension DockerEngine {
    public func sweep(_ request: SweepRequest) async -> CleanupReport {
        var report = CleanupReport()
        do {
            try await withClient { client in try await self.sweep(request, client: client, into: &report) }
        } catch {
            report.skipped.append("docker: \(error)")
        }
        return report
    }

    private func sweep(_ request: SweepRequest, client: DockerClient, into report: inout CleanupReport) async throws {
        let filter = ["label": ["\(ResourceLabels.managed)=true"]]
        for container in try await client.listContainers(all: true, filters: filter) where request.selects(container.labels ?? [:]) {
            // A refused removal (the daemon was seen to answer 400) is reported as left, not as removed.
            let removal: () async throws -> Void = { try await client.removeContainer(container.id, force: true, removeVolumes: true) }
            if !request.dryRun, let failure = await IsolationManager.failure(of: removal) {
                report.skipped.append("container \(container.id): \(failure)")
                continue
            }
            report.containers.append(container.id)
        }
        for network in try await client.listNetworks(filters: filter) where request.selects(network.labels ?? [:]) {
            // A shared network may still serve a kept or another session's (stopped) container:
            // it goes only unused, unless everything goes.
            let shared = network.labels?[ResourceLabels.sharedNetwork] == "true" && request.scope != .everything
            if shared, !(try await client.listContainers(all: true, filters: ["network": [network.id]]).isEmpty) { continue }
            report.networks.append(network.name)
            if !request.dryRun { try? await client.removeNetwork(network.id) }
        }
        for volume in try await client.listVolumes(filters: filter)
        where request.selects(volume.labels ?? [:])
            // A snapshot's volume copies go with its image, or a later restore would miss them.
            && (request.scope.removesSnapshotImages || volume.labels?[ResourceLabels.snapshot] == nil)
        {
            report.volumes.append(volume.name)
            if !request.dryRun { try? await client.removeVolume(volume.name, force: true) }
        }
        if request.scope.removesSnapshotImages {
            for image in try await client.listImages(all: true, filters: filter) where request.selects(image.labels ?? [:]) {
                report.images.append(image.id)
                if !request.dryRun { _ = try? await client.removeImage(image.id, force: true) }
            }
        }
    }
}
