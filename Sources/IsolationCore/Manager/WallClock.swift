public import Foundation

/// The time a manager stamps records with and judges TTLs by: creation and expiry times, renewed
/// reuse leases, warm-pool hand-overs, and what `cleanup(.expired)` and `destroyExpired()` take
/// as expired.
///
/// Injected (``IsolationManager/Configuration/clock``, ``SessionReaper/clock``) so a test moves
/// time forward instead of sleeping past a TTL. Durations the manager waits for — timeouts,
/// back-offs, grace periods — stay on the monotonic `ContinuousClock`: a wall clock set back or
/// forward must not stretch or cut them.
public struct WallClock: Sendable {
    private let read: @Sendable () -> Date

    public init(_ now: @escaping @Sendable () -> Date) {
        read = now
    }

    public func now() -> Date { read() }

    /// The system's time.
    public static let system = WallClock { Date() }
}
