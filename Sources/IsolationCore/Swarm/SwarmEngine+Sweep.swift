import DockerAPI
import Foundation

/// Leftovers across the whole swarm, found by label, so cleanup and the reaper need no record:
/// services, secrets, configs and overlay networks on the manager, and task containers on
/// every node (a node that lost its manager keeps running them).
extension SwarmEngine {
    public func sweep(_ request: SweepRequest) async -> CleanupReport {
        var report = CleanupReport()
        let filter = ["label": ["\(ResourceLabels.managed)=true"]]
        var nodes: [SwarmNode] = []
        do {
            try await manager.withClient { client in
                for service in try await client.listServices(filters: filter) where request.selects(service.spec.labels ?? [:]) {
                    report.services.append(service.spec.name)
                    if !request.dryRun { try? await client.removeService(service.id) }
                }
                for secret in try await client.listSecrets(filters: filter) where request.selects(secret.spec.labels ?? [:]) {
                    report.secrets.append(secret.spec.name)
                    if !request.dryRun { try? await client.removeSecret(secret.id) }
                }
                for config in try await client.listConfigs(filters: filter) where request.selects(config.spec.labels ?? [:]) {
                    report.secrets.append(config.spec.name)
                    if !request.dryRun { try? await client.removeConfig(config.id) }
                }
                nodes = try await client.listNodes()
            }
        } catch {
            report.skipped.append("swarm manager \(settings.manager): \(error)")
            return report
        }
        var endpoints: [(String, String)] = []
        for node in nodes {
            do {
                endpoints.append((Self.nodeName(node), try endpoint(of: node)))
            } catch {
                report.skipped.append("swarm node \(Self.nodeName(node)): \(error)")
            }
        }
        for (name, endpoint) in endpoints {
            do {
                try await engine(at: endpoint).withClient { client in
                    for container in try await client.listContainers(all: true, filters: filter)
                    where request.selects(container.labels ?? [:]) {
                        report.containers.append(container.id)
                        if !request.dryRun { try? await client.removeContainer(container.id, force: true, removeVolumes: true) }
                    }
                }
            } catch {
                report.skipped.append("swarm node \(name) (\(endpoint)): \(error)")
            }
        }
        // Last: a network is removable once no task uses it.
        do {
            try await manager.withClient { client in
                for network in try await client.listNetworks(filters: filter.merging(["driver": ["overlay"]]) { $1 })
                where request.selects(network.labels ?? [:]) {
                    report.networks.append(network.name)
                    guard !request.dryRun else { continue }
                    for _ in 0..<40 {
                        do {
                            try await client.removeNetwork(network.id)
                            break
                        } catch let error as DockerError where error.code == .notFound {
                            break
                        } catch {
                            try? await Task.sleep(for: .milliseconds(100))
                        }
                    }
                }
            }
        } catch {
            report.skipped.append("swarm manager \(settings.manager): \(error)")
        }
        return report
    }
}
