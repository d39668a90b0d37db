/// One warm pool as `pools()` reports it: its sizes, what it handed out, and how fast.
public struct PoolStatus: Codable, Sendable, Hashable {
    public var name: String
    /// What the pool holds: `create` of this spec (but for name, labels and TTL) takes from it.
    public var spec: EnvironmentSpec
    public var engine: EngineKind
    public var min: Int
    public var max: Int
    /// How many refills keep ready now: `min`, grown toward `max` by misses.
    public var target: Int
    /// Created, ready and waiting for an acquirer.
    public var ready: Int
    /// Being created by a refill now.
    public var creating: Int
    /// Acquires that took a ready environment.
    public var hits: Int
    /// Acquires that found none ready and created one on demand.
    public var misses: Int
    /// Refill creations that failed (each backs the refills off).
    public var failures: Int
    /// The last refill failure, while refills are backing off because of it.
    public var lastError: String?
    /// The median and 99th percentile of the last hits' acquire time (record update and hand-over),
    /// in milliseconds; `nil` before the first hit.
    public var acquireMedianMs: Double?
    public var acquireP99Ms: Double?
}

/// What `acquire` hands over: a ready environment, and whether it came from the pool.
public struct PoolAcquisition: Codable, Sendable, Hashable {
    public var environment: Environment
    /// `true` when a ready environment was taken; `false` when the pool was empty and one was created.
    public var hit: Bool
}

/// Asked before a refill creates one more environment for a pool: the server's per-owner quota
/// bounds what pools may hold. A `false` stops this refill until the next acquire or drain.
public protocol PoolQuota: Sendable {
    /// - Parameter creating: the pool's creations this quota admitted that have not ended: a
    ///   quota counts them instead of the pool's records still `creating` (some are not recorded
    ///   yet), and as well as the rest of what the store holds.
    func mayCreate(pool: String, creating: Int) async -> Bool
}
