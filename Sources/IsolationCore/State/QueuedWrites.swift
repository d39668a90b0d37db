import Synchronization

/// How many writes were handed to the database's writer queue and have not finished, so a
/// caller that must see them on disk waits only when some are queued.
final class QueuedWrites: Sendable {
    private let pending = Atomic<Int>(0)

    var count: Int { pending.load(ordering: .acquiring) }

    func add() {
        pending.add(1, ordering: .relaxed)
    }

    func remove() {
        pending.subtract(1, ordering: .releasing)
    }
}
