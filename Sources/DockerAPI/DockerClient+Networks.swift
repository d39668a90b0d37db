import AsyncHTTPClient

extension DockerClient {
    /// Creates a network and returns its id.
    ///
    /// - Throws: `conflict` when the name is taken; `badParameter` or `serverError` with the
    ///   daemon's message when the subnet overlaps another network.
    @discardableResult
    public func createNetwork(_ spec: NetworkSpec) async throws -> String {
        let reply: NetworkCreateResponse = try await json(.POST, "/networks/create", body: NetworkCreateBody(spec))
        return reply.id
    }

    public func inspectNetwork(_ id: String) async throws -> NetworkInspect {
        try await json(.GET, "/networks/\(Self.pathComponent(id))")
    }

    /// Lists networks; `filters` e.g. `["label": ["a=b"]]`, `["name": ["x"]]`, `["driver": ["bridge"]]`.
    public func listNetworks(filters: [String: [String]] = [:]) async throws -> [NetworkInspect] {
        var query = Query()
        query.add(filters: filters)
        return try await json(.GET, "/networks", query: query)
    }

    public func connectNetwork(_ network: String, container: String, options: NetworkConnectOptions = NetworkConnectOptions()) async throws
    {
        let body = NetworkConnectBody(
            container: container,
            endpointConfig: .init(
                aliases: options.aliases.isEmpty ? nil : options.aliases,
                iPAMConfig: options.ipv4Address.map { .init(iPv4Address: $0) }
            )
        )
        try await send(.POST, "/networks/\(Self.pathComponent(network))/connect", body: body)
    }

    public func disconnectNetwork(_ network: String, container: String, force: Bool = false) async throws {
        try await send(
            .POST, "/networks/\(Self.pathComponent(network))/disconnect",
            body: NetworkDisconnectBody(container: container, force: force)
        )
    }

    public func removeNetwork(_ id: String) async throws {
        try await send(.DELETE, "/networks/\(Self.pathComponent(id))")
    }

    @discardableResult
    public func pruneNetworks(filters: [String: [String]] = [:]) async throws -> PruneReport {
        var query = Query()
        query.add(filters: filters)
        return try await json(.POST, "/networks/prune", query: query)
    }
}
