public import Foundation

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
    /// Which state directory the resource belongs to (a hash of its path): sessions of different
    /// homes may share a name, and one home's cleanup must not take another's resources.
    public static let home = "ptest-iso.home"
    /// The environment's cleanup policy, so a session's end spares what is kept or lives until its TTL.
    public static let cleanup = "ptest-iso.cleanup"
    /// On a container: `service` (the image's own process) or `sandbox` (idle, for exec), the spec's effective mode.
    public static let mode = "ptest-iso.mode"
    /// On a container started ahead of need, not yet taken by an environment.
    public static let standby = "ptest-iso.standby"
    /// On a container that only holds a pooled private network's namespace for the services
    /// that join it, one at a time (``NetworkHolder``).
    public static let networkHolder = "ptest-iso.network-holder"
    /// On a standby: the TTL (seconds) of the environments that may take it.
    public static let standbyTTL = "ptest-iso.standby-ttl"
    /// On a compose stack's container: the service it runs.
    public static let composeService = "ptest-iso.compose.service"
    /// On a network several environments share (removed with the last of them).
    public static let sharedNetwork = "ptest-iso.shared-network"
    /// On an image committed as a snapshot: the snapshot's id.
    public static let snapshot = "ptest-iso.snapshot"
    /// On an image the image cache built from a context (kept across sessions, evicted by size).
    public static let imageCache = "ptest-iso.image-cache"
    /// On a cached image: the digest of the build context it was built from.
    public static let contextDigest = "ptest-iso.context-digest"
    /// On a job's container: the job's id.
    public static let job = "ptest-iso.job"
    /// The test that made the environment (a pytest node id), given by the front that knows it:
    /// shown by `ptest-iso inspect`, so a kept environment leads back to its test.
    public static let test = "ptest-iso.test"
    /// On an environment's resources shared across runs (a spec with `reuse`): the spec's reuse key
    /// (``EnvironmentSpec/reuseKey(engine:)``), by which the next run finds it again.
    public static let reuse = "ptest-iso.reuse"
    /// The session of every reused environment: it belongs to no test run, so no run's end and no
    /// session reaper takes it; its TTL (renewed on each reuse), `ptest-iso rm` and cleanup do.
    public static let reuseSession = "ptest-iso.reuse"
    /// On an environment shared within its session (a spec with `shared`): the spec's key
    /// (``EnvironmentSpec/reuseKey(engine:)``), by which the session's other processes find it.
    public static let shared = "ptest-iso.shared"
    /// The longest test id recorded, in UTF-8 bytes (a parametrized node id can be long, not unbounded).
    public static let maxTestIDBytes = 4096

    /// The warm pool an environment was made for (decision 0013); it stays after the hand-over.
    public static let pool = "ptest-iso.pool"

    /// The labels for a resource of `environment` in `session`, expiring at `expiresAt`.
    public static func labels(
        session: String, home: URL? = nil, environment: String? = nil, expiresAt: Double? = nil, cleanup policy: CleanupPolicy? = nil
    ) -> [String: String] {
        var labels = [managed: "true", Self.session: session]
        if let home { labels[Self.home] = homeKey(home) }
        if let policy { labels[cleanup] = policy.rawValue }
        if let environment { labels[Self.environment] = environment }
        if let expiresAt { labels[Self.expiresAt] = String(Int(expiresAt.rounded(.up))) }
        return labels
    }

    /// The labels of a resource an environment makes that may outlive it (a shared network, a
    /// snapshot image): its session and home, none of its own.
    public static func outliving(_ environmentLabels: [String: String]) -> [String: String] {
        environmentLabels.filter { [managed, session, home].contains($0.key) }
    }

    static func homeKey(_ home: URL) -> String {
        String(Hash128.hex(Data(home.standardizedFileURL.path.utf8)).prefix(16))
    }

    /// A Docker `label` filter selecting everything of `session`.
    public static func sessionFilter(_ session: String) -> [String: [String]] {
        ["label": ["\(managed)=true", "\(Self.session)=\(session)"]]
    }
}
