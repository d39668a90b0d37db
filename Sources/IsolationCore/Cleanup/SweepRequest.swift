/// What an engine's ``IsolationEngine/sweep(_:)`` is asked to find: the resources whose labels
/// `selects` picks (the manager's reading of the scope: session, expiry, policy, home, reuse
/// records), to remove unless `dryRun`.
public struct SweepRequest: Sendable {
    public var scope: CleanupScope
    public var dryRun: Bool
    public var selects: @Sendable ([String: String]) -> Bool

    public init(scope: CleanupScope, dryRun: Bool, selects: @escaping @Sendable ([String: String]) -> Bool) {
        self.scope = scope
        self.dryRun = dryRun
        self.selects = selects
    }
}
