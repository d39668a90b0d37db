extension IsolationManager {
    /// The environment a reference names, resolved as docker resolves a container: its full id,
    /// else its name (``EnvironmentSpec/name``), else a unique prefix of its id (`env-3f2a` or
    /// `3f2a`). A name or prefix that also matches destroyed environments picks the live one.
    ///
    /// This is the command line's shorthand; the other operations take the full id, so what a
    /// program's call acts on never depends on what other processes have made since.
    ///
    /// - Throws: `notFound` when nothing matches; `invalidSpec` listing the candidates when a
    ///   name or prefix matches several live environments, or for an empty reference.
    public func resolve(_ reference: String) async throws -> Environment {
        guard !reference.isEmpty else {
            throw IsolationError(.invalidSpec, field: "id", "an empty environment reference; give an id, an id prefix or a name")
        }
        try refuseServiceAddress(reference)
        if let exact = try await store.environment(reference) { return exact }
        let all = try await store.environments(matching: EnvironmentFilter(liveOnly: false))
        let byName = all.filter { $0.spec.name == reference }
        if let found = try Self.single(byName, reference, "name") { return found }
        let bare = reference.hasPrefix("env-") ? reference : "env-" + reference
        let byPrefix = all.filter { $0.id.hasPrefix(bare) }
        if let found = try Self.single(byPrefix, reference, "id prefix") { return found }
        throw IsolationError(.notFound, "no environment '\(reference)' (by id, name or id prefix); `ptest-iso ls` lists them")
    }

    /// An address with its environment part resolved (``resolve(_:)``): `ID` or `ID/SERVICE`,
    /// the forms the operations take.
    ///
    /// - Throws: as ``resolve(_:)``.
    public func resolveAddress(_ address: String) async throws -> String {
        guard let slash = address.firstIndex(of: "/") else { return try await resolve(address).id }
        return try await resolve(String(address[..<slash])).id + address[slash...]
    }

    /// The snapshot a reference names: its id, its name, or a unique prefix of its id
    /// (`snap-5e0c` or `5e0c`).
    ///
    /// - Throws: `notFound` when nothing matches; `invalidSpec` listing the candidates for an
    ///   ambiguous prefix.
    public func resolveSnapshot(_ reference: String) async throws -> Snapshot {
        if !reference.isEmpty, let exact = try await store.snapshot(reference) { return exact }
        let bare = reference.hasPrefix("snap-") ? reference : "snap-" + reference
        let matches = try await store.snapshots().filter { $0.id.hasPrefix(bare) }
        guard matches.count <= 1 else {
            let listed = matches.map { "\($0.id) (\($0.name))" }.joined(separator: ", ")
            throw IsolationError(
                .invalidSpec, field: "snapshot", "'\(reference)' matches several snapshots: \(listed); give more of the id")
        }
        guard !reference.isEmpty, let found = matches.first else {
            throw IsolationError(.notFound, "no snapshot '\(reference)' (by id, name or id prefix); `ptest-iso snapshot ls` lists them")
        }
        return found
    }

    /// The one environment among `matches`, preferring those that hold resources, then failed
    /// ones, then destroyed ones (history does not make a reference ambiguous); nil for none.
    private static func single(_ matches: [Environment], _ reference: String, _ kind: String) throws -> Environment? {
        guard matches.count > 1 else { return matches.first }
        let tiers = [
            matches.filter { $0.status.isLive && $0.status != .failed }, matches.filter { $0.status == .failed },
            matches.filter { !$0.status.isLive },
        ]
        let candidates = tiers.first { !$0.isEmpty } ?? matches
        if candidates.count == 1 { return candidates[0] }
        let listed = candidates.map { "\($0.id) (\($0.spec.name ?? "-"), \($0.status.rawValue))" }.joined(separator: ", ")
        throw IsolationError(
            .invalidSpec, field: "id", "\(kind) '\(reference)' matches several environments: \(listed); give more of the id")
    }
}
