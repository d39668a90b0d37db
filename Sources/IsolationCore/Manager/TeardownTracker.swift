import Synchronization

/// The removals a manager runs in the background, so they can be waited for.
final class TeardownTracker: Sendable {
    private let running = Mutex<(next: Int, tasks: [Int: Task<Void, Never>])>((0, [:]))

    func start(_ work: @escaping @Sendable () async -> Void) {
        running.withLock { state in
            let key = state.next
            state.next += 1
            state.tasks[key] = Task { [weak self] in
                await work()
                self?.running.withLock { _ = $0.tasks.removeValue(forKey: key) }
            }
        }
    }

    /// Each task removes itself before its `value` returns (it cannot do so before it is
    /// registered: registration holds the lock), so this ends once the last one has.
    func waitForAll() async {
        while let pending = running.withLock({ $0.tasks.values.first }) {
            await pending.value
        }
    }

    /// Cancels every task under way (for work that only waits, such as a back-off).
    func cancelAll() {
        for task in running.withLock({ Array($0.tasks.values) }) { task.cancel() }
    }
}
