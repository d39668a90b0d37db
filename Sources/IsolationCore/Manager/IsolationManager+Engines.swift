/// What one registered engine offers, and whether it can be used here.
public struct EngineInfo: Codable, Sendable, Hashable {
    public var kind: EngineKind
    public var available: Bool
    /// Why it cannot be used, and the fix; `nil` when available.
    public var unavailableReason: String?
    public var capabilities: [EngineCapability]
    /// Higher wins when several engines can serve a spec.
    public var priority: Int
    /// It keeps logs and resource counters per environment.
    public var observable: Bool
}

extension IsolationManager {
    /// The registered engines, highest priority first, each probed for availability (in parallel).
    public func engines() async -> [EngineInfo] {
        let engines = registry.engines
        let reasons = await withTaskGroup(of: (Int, String?).self) { group in
            for (index, engine) in engines.enumerated() {
                group.addTask { (index, await engine.unavailableReason()) }
            }
            var reasons = [String?](repeating: nil, count: engines.count)
            for await (index, reason) in group { reasons[index] = reason }
            return reasons
        }
        return zip(engines, reasons).map { engine, reason in
            EngineInfo(
                kind: engine.kind, available: reason == nil, unavailableReason: reason,
                capabilities: EngineCapability.allCases.filter(engine.capabilities.contains), priority: engine.priority,
                observable: engine is any ObservableEngine)
        }
    }
}
