extension IsolationManager {
    /// The environment an address names: an id, or `ID/SERVICE` for one service of a compose
    /// stack, which is then the environment with that service's container as its location.
    /// Commands, files, logs and stats take either; what acts on the whole environment
    /// (destroy, stop, snapshots) takes the id alone (``get(_:)`` refuses an address).
    ///
    /// - Throws: `notFound` naming the stack's services when the service is not one of them;
    ///   `invalidSpec` for a service address of an environment that is not a stack.
    func addressed(_ address: String) async throws -> Environment {
        guard let slash = address.firstIndex(of: "/") else { return try await get(address) }
        let id = String(address[..<slash])
        let service = String(address[address.index(after: slash)...])
        var environment = try await get(id)
        guard environment.spec.compose != nil else {
            throw IsolationError(
                .invalidSpec, field: "id",
                "'\(address)' names a service, but environment \(id) is not a compose stack; use its id alone")
        }
        guard let container = environment.details["container.\(service)"] else {
            let services = environment.details["compose.services"] ?? ""
            throw IsolationError(.notFound, "environment \(id) has no started service '\(service)' (services: \(services))")
        }
        environment.location = container
        return environment
    }

    /// What takes the whole environment refuses a service's address, naming the id to use.
    func refuseServiceAddress(_ id: String) throws {
        guard let slash = id.firstIndex(of: "/") else { return }
        throw IsolationError(
            .invalidSpec, field: "id", "'\(id)' names one service of a stack; this operation takes the environment's id ('\(id[..<slash])')"
        )
    }
}
