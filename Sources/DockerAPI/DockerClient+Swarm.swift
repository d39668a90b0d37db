import Foundation

extension DockerClient {
    /// The swarm's nodes; `filters` e.g. `["role": ["worker"]]`, `["node.label": ["a=b"]]`.
    public func listNodes(filters: [String: [String]] = [:]) async throws -> [SwarmNode] {
        var query = Query()
        query.add(filters: filters)
        return try await json(.GET, "/nodes", query: query)
    }

    public func inspectNode(_ id: String) async throws -> SwarmNode {
        try await json(.GET, "/nodes/\(Self.pathComponent(id))")
    }

    /// Replaces a node's spec (its labels, role, availability); `version` is the node's current
    /// one, so a concurrent update is refused rather than lost.
    public func updateNode(_ id: String, version: UInt64, spec: SwarmNode.Spec) async throws {
        try await send(.POST, "/nodes/\(Self.pathComponent(id))/update", query: ["version": String(version)], body: spec)
    }
}
