/// The Docker labels every resource the engine creates carries, so cleanup
/// can find what a session made from the daemon alone (DESIGN.md,
/// "Session"), even when the state database is gone.
public enum ResourceLabels {
    /// Present (`true`) on everything ptest-isolation made.
    public static let managed = "ptest-iso.managed"
    /// The session that owns the resource.
    public static let session = "ptest-iso.session"
    /// The environment the resource belongs to.
    public static let environment = "ptest-iso.environment"
    /// Unix time (seconds) after which the resource may be reaped.
    public static let expiresAt = "ptest-iso.expires-at"
    /// On a network several environments share (removed with the last of them).
    public static let sharedNetwork = "ptest-iso.shared-network"
    /// On an image committed as a snapshot: the snapshot's id.
    public static let snapshot = "ptest-iso.snapshot"

    /// The labels for a resource of `environment` in `session`, expiring at `expiresAt`.
    public static func labels(session: String, environment: String? = nil, expiresAt: Double? = nil) -> [String: String] {
        var labels = [managed: "true", Self.session: session]
        if let environment { labels[Self.environment] = environment }
        if let expiresAt { labels[Self.expiresAt] = String(Int(expiresAt.rounded(.up))) }
        return labels
    }

    /// A Docker `label` filter selecting everything of `session`.
    public static func sessionFilter(_ session: String) -> [String: [String]] {
        ["label": ["\(managed)=true", "\(Self.session)=\(session)"]]
    }
}
