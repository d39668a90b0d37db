public import Foundation

/// Something that happened to an environment or snapshot, delivered to
/// subscribers in the order it happened.
public struct IsolationEvent: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable {
        case created, started, stopped, destroyed
        case packageInstalled = "package-installed"
        case packageRemoved = "package-removed"
        case snapshotCreated = "snapshot-created"
        case snapshotRestored = "snapshot-restored"
        case snapshotDeleted = "snapshot-deleted"
        /// A step of a long operation (which engine a creation went to and why, a restore starting).
        case progress
        case error
    }

    /// Increases by one per event of this manager.
    public var sequence: UInt64
    public var kind: Kind
    public var environment: String?
    public var snapshot: String?
    public var time: Date
    public var detail: String?
}
