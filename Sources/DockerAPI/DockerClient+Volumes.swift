import AsyncHTTPClient

extension DockerClient {
    @discardableResult
    public func createVolume(_ spec: VolumeSpec = VolumeSpec()) async throws -> VolumeInspect {
        try await json(
            .POST, "/volumes/create",
            body: VolumeCreateBody(name: spec.name, driver: spec.driver, driverOpts: spec.driverOptions, labels: spec.labels)
        )
    }

    public func inspectVolume(_ name: String) async throws -> VolumeInspect {
        try await json(.GET, "/volumes/\(Self.pathComponent(name))")
    }

    /// Lists volumes; `filters` e.g. `["label": ["a=b"]]`, `["dangling": ["true"]]`.
    public func listVolumes(filters: [String: [String]] = [:]) async throws -> [VolumeInspect] {
        var query = Query()
        query.add(filters: filters)
        let reply: VolumeListResponse = try await json(.GET, "/volumes", query: query)
        return reply.volumes ?? []
    }

    /// Removes a volume. - Throws: `conflict` while a container uses it (unless `force`).
    public func removeVolume(_ name: String, force: Bool = false) async throws {
        var query = Query()
        query.add("force", force)
        try await send(.DELETE, "/volumes/\(Self.pathComponent(name))", query: query)
    }

    @discardableResult
    public func pruneVolumes(filters: [String: [String]] = [:]) async throws -> PruneReport {
        var query = Query()
        query.add(filters: filters)
        return try await json(.POST, "/volumes/prune", query: query)
    }
}
