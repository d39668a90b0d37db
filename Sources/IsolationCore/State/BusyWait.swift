import Foundation

/// How a connection waits for another process's write lock: up to 30 s, asking again after
/// 25 µs, then twice as long each time up to 1 ms.
///
/// SQLite's own timeout sleeps 1, 2, 5, 10 ms… between tries. The lock is held for a fraction
/// of a millisecond per write (a record's change), so two pytest-xdist workers making and
/// removing venvs slept 120 ms in a 50-test suite waiting for locks long free, a third of
/// what the suite added over its tests' own time.
enum BusyWait {
    /// The tries that double the pause, from the first one's.
    static let firstPauseMicroseconds: UInt32 = 25
    static let doublings = 6
    static let longestPauseMicroseconds: UInt32 = 1_000
    /// Past these tries (about 30 s of waiting) the write fails with "database is locked".
    static let maximumTries = doublings + 30_000

    /// SQLite's busy handler: `true` to try again after a pause, `false` to give up.
    @Sendable static func shouldRetry(_ tries: Int) -> Bool {
        guard tries < maximumTries else { return false }
        usleep(pause(afterTries: tries))
        return true
    }

    static func pause(afterTries tries: Int) -> UInt32 {
        tries < doublings ? firstPauseMicroseconds << UInt32(tries) : longestPauseMicroseconds
    }
}
