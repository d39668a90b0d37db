/// The engines a manager can use, and the rule that picks one for a spec.
public struct EngineRegistry: Sendable {
    public let engines: [any IsolationEngine]
    /// Where a spec that needs a container goes unless it names an engine (the settings'
    /// `default_container_engine`); `nil` leaves it to priority.
    public let containerEngine: EngineKind?

    public init(_ engines: [any IsolationEngine], containerEngine: EngineKind? = nil) {
        self.engines = engines.sorted { $0.priority > $1.priority }
        self.containerEngine = containerEngine
    }

    public func engine(_ kind: EngineKind) -> (any IsolationEngine)? {
        engines.first { $0.kind == kind }
    }

    /// The capabilities a spec needs, each with the field that needs it.
    static func requirements(of spec: EnvironmentSpec) -> [(EngineCapability, String)] {
        var needs: [(EngineCapability, String)] = []
        if spec.image != nil { needs.append((.containerImages, "image")) }
        if spec.build != nil { needs.append((.containerImages, "build")) }
        if spec.compose != nil { needs.append((.containerImages, "compose")) }
        if spec.resources != nil { needs.append((.resourceLimits, "resources")) }
        if spec.network != nil { needs.append((.networks, "network")) }
        if !spec.ports.isEmpty { needs.append((.ports, "ports")) }
        if !spec.volumes.isEmpty { needs.append((.volumes, "volumes")) }
        if !spec.secrets.isEmpty { needs.append((.secrets, "secrets")) }
        if !spec.placement.isEmpty { needs.append((.placement, "placement")) }
        needs += spec.containerOnlyFields.map { (.containerImages, $0) }
        if !spec.requirements.isEmpty || !spec.requirementFiles.isEmpty { needs.append((.packages, "requirements")) }
        return needs
    }

    /// Picks the engine for a spec: the one it names, else the highest
    /// priority engine with every capability the spec needs.
    ///
    /// - Returns: the engine and a sentence saying why it was chosen.
    /// - Throws: ``IsolationError/Code/engineUnavailable`` naming the unmet needs.
    public func choose(for spec: EnvironmentSpec) throws -> (engine: any IsolationEngine, reason: String) {
        let needs = Self.requirements(of: spec)
        /// An engine that was asked for (by the spec or the settings) must provide every need.
        func checked(_ engine: any IsolationEngine, asked: String, fix: String) throws -> any IsolationEngine {
            if let missing = needs.first(where: { !engine.capabilities.contains($0.0) }) {
                throw IsolationError(
                    .invalidSpec,
                    "\(missing.1): the \(engine.kind) engine\(asked) does not provide \(missing.0.rawValue); remove the field or \(fix)")
            }
            return engine
        }
        if let kind = spec.engine {
            guard let engine = engine(kind) else {
                throw IsolationError(
                    .engineUnavailable,
                    "engine: '\(kind)' is not available; available: \(engines.map(\.kind.rawValue).joined(separator: ", "))"
                )
            }
            return (try checked(engine, asked: "", fix: "use another engine"), "requested by the spec")
        }
        if let kind = containerEngine, needs.contains(where: { $0.0 == .containerImages }), let engine = engine(kind) {
            let chosen = try checked(engine, asked: " (the settings' default_container_engine)", fix: "set engine: docker")
            return (chosen, "the settings' default_container_engine")
        }
        for engine in engines where needs.allSatisfy({ engine.capabilities.contains($0.0) }) {
            let reason =
                needs.isEmpty
                ? "the default engine (highest priority)"
                : "it provides \(needs.map { "\($0.0.rawValue) (\($0.1))" }.joined(separator: ", "))"
            return (engine, reason)
        }
        throw IsolationError(
            .engineUnavailable,
            "no available engine provides \(needs.map { "\($0.0.rawValue) (for \($0.1))" }.joined(separator: ", "))"
        )
    }
}
