public import Foundation
import NIOFoundationCompat

extension DockerClient {
    /// Creates a swarm service and returns its id.
    @discardableResult
    public func createService(_ spec: SwarmServiceSpec) async throws -> String {
        let reply: IDResponse = try await json(.POST, "/services/create", body: ServiceCreateBody(spec))
        return reply.id
    }

    public func inspectService(_ id: String) async throws -> SwarmService {
        try await json(.GET, "/services/\(Self.pathComponent(id))")
    }

    /// Lists services; `filters` e.g. `["label": ["a=b"]]`, `["name": ["x"]]`.
    public func listServices(filters: [String: [String]] = [:]) async throws -> [SwarmService] {
        var query = Query()
        query.add(filters: filters)
        return try await json(.GET, "/services", query: query)
    }

    /// Removes a service; its tasks' containers are removed by their nodes.
    public func removeService(_ id: String) async throws {
        try await send(.DELETE, "/services/\(Self.pathComponent(id))")
    }

    /// Lists tasks; `filters` e.g. `["service": ["name"]]`, `["node": ["id"]]`, `["desired-state": ["running"]]`.
    public func listTasks(filters: [String: [String]] = [:]) async throws -> [SwarmTask] {
        var query = Query()
        query.add(filters: filters)
        return try await json(.GET, "/tasks", query: query)
    }
}

extension DockerClient {
    /// A service's inspect document as the daemon sends it (to show that nothing secret is in it).
    public func inspectServiceJSON(_ id: String) async throws -> Data {
        let reply = try await data(.GET, "/services/\(Self.pathComponent(id))")
        return Data(buffer: reply.body)
    }
}
