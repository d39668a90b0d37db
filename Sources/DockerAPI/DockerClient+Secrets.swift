public import Foundation

extension DockerClient {
    /// Creates a swarm secret and returns its id. The value goes to the swarm's encrypted store
    /// only: the daemon never returns it.
    @discardableResult
    public func createSecret(name: String, value: Data, labels: [String: String] = [:]) async throws -> String {
        let body = SwarmObjectCreateBody(name: name, labels: labels, data: value.base64EncodedString())
        let reply: IDResponse = try await json(.POST, "/secrets/create", body: body)
        return reply.id
    }

    public func listSecrets(filters: [String: [String]] = [:]) async throws -> [SwarmObject] {
        var query = Query()
        query.add(filters: filters)
        return try await json(.GET, "/secrets", query: query)
    }

    public func removeSecret(_ id: String) async throws {
        try await send(.DELETE, "/secrets/\(Self.pathComponent(id))")
    }

    public func listConfigs(filters: [String: [String]] = [:]) async throws -> [SwarmObject] {
        var query = Query()
        query.add(filters: filters)
        return try await json(.GET, "/configs", query: query)
    }

    public func removeConfig(_ id: String) async throws {
        try await send(.DELETE, "/configs/\(Self.pathComponent(id))")
    }
}
