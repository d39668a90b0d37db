import Foundation

/// Where processes meet to share one environment of a spec: across runs (``EnvironmentSpec/reuse``,
/// decision 0007) or within one test session (``EnvironmentSpec/shared``).
///
/// Both find the environment the same way — under a file lock per key in the state directory,
/// by the session it belongs to and the label carrying the key — and differ only in that session,
/// that label and where the lock lives.
struct SharingPlace: Sendable, Equatable {
    /// The session the shared environment belongs to.
    let session: String
    /// The label whose value is ``key`` on the environment and its resources.
    let label: String
    /// The spec's key (``EnvironmentSpec/reuseKey(engine:)``).
    let key: String
    /// The key's lock file.
    let lockURL: URL

    /// Across runs: the reuse session, the lock `reuse/<key>.lock`.
    static func reuse(_ key: String, home: URL) -> SharingPlace {
        SharingPlace(
            session: ResourceLabels.reuseSession, label: ResourceLabels.reuse, key: key,
            lockURL: home.appendingPathComponent("reuse").appendingPathComponent("\(key).lock"))
    }

    /// Within `session`: the lock `shared/<session hash>-<key>.lock` (a session is any label value,
    /// so it is hashed into a file name).
    static func session(_ session: String, key: String, home: URL) -> SharingPlace {
        let sessionPart = Hash128.hex(Data(session.utf8)).prefix(16)
        return SharingPlace(
            session: session, label: ResourceLabels.shared, key: key,
            lockURL: home.appendingPathComponent("shared").appendingPathComponent("\(sessionPart)-\(key).lock"))
    }

    /// The place an existing environment is shared in, if it is.
    static func of(_ environment: Environment, home: URL) -> SharingPlace? {
        if let key = environment.labels[ResourceLabels.reuse] { return .reuse(key, home: home) }
        if let key = environment.labels[ResourceLabels.shared] { return .session(environment.session, key: key, home: home) }
        return nil
    }

    /// What finds the environments of this place.
    var filter: EnvironmentFilter { EnvironmentFilter(session: session, labels: [label: key]) }

    /// What the errors and events call it.
    var noun: String { label == ResourceLabels.reuse ? "reused environment" : "session-shared environment" }
}
