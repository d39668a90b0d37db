import DockerAPI

/// Removes every container this run made, found by its run label, so
/// nothing is left behind whatever happened (a failed step, Ctrl-C).
///
/// - Returns: how many containers it removed.
func removeBenchContainers(_ client: DockerClient, target: BenchTarget) async throws -> Int {
    let leftovers = try await client.listContainers(all: true, filters: ["label": [target.runFilter]])
    for container in leftovers {
        try await client.removeContainer(container.id, force: true)
    }
    return leftovers.count
}
