import AsyncHTTPClient

extension DockerClient {
    /// One sample of the container's resource usage. The daemon takes two
    /// readings about a second apart, so the CPU share is meaningful.
    public func containerStats(_ id: String) async throws -> ContainerStats {
        let raw: RawStats = try await json(
            .GET, "/containers/\(Self.pathComponent(id))/stats", query: ["stream": "0"], timeout: .seconds(30)
        )
        return ContainerStats(raw)
    }

    /// A sample about every second until the container stops or the iteration ends.
    public func streamContainerStats(_ id: String) async throws -> DockerStream<ContainerStats> {
        let path = "/containers/\(Self.pathComponent(id))/stats"
        let response = try await perform(.GET, path, query: ["stream": "1"])
        let raw = DockerStream<RawStats>.jsonLines(response, client: self, operation: "GET \(path)")
        return DockerStream<ContainerStats>(mapping: raw) { ContainerStats($0) }
    }
}
