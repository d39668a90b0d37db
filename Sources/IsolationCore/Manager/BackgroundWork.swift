import Synchronization

/// What a manager does off its callers' paths — removals (`destroy(background:)`), standby
/// container starts, warm-pool refills and their back-offs — run as child tasks of one task
/// group that lives as long as the manager: structured, so no piece of it is a stray task that
/// outlives its owner unnoticed, and each kind can be waited for.
///
/// The group's loop (``run(_:ledger:)``) is the one unstructured task, started with the value
/// and ended when the value is released: it then finishes the jobs it has and returns.
/// ``IsolationManager/shutdown()`` waits for every lane before it closes the Docker clients.
final class BackgroundWork: Sendable {
    /// The kinds of work, each waited for on its own.
    enum Lane: Hashable, Sendable, CaseIterable {
        case removals, standbyStarts, poolRefills, backOffs
    }

    private struct Job: Sendable {
        let lane: Lane
        let work: @Sendable () async -> Void
    }

    private let jobs: AsyncStream<Job>.Continuation
    private let ledger = Ledger()

    init() {
        let (stream, jobs) = AsyncStream.makeStream(of: Job.self)
        self.jobs = jobs
        // Captures the stream and the ledger, not `self`: releasing the value ends the loop.
        Task { [ledger] in await Self.run(stream, ledger: ledger) }
    }

    deinit {
        jobs.finish()
    }

    private static func run(_ stream: AsyncStream<Job>, ledger: Ledger) async {
        await withDiscardingTaskGroup { group in
            for await job in stream {
                group.addTask {
                    await job.work()
                    ledger.finished(job.lane)
                }
            }
        }
    }

    /// Runs `work` as a child task of the group. It is counted from this call on, so a
    /// ``waitForAll(_:)`` that follows waits for it.
    func start(_ lane: Lane, _ work: @escaping @Sendable () async -> Void) {
        ledger.started(lane)
        jobs.yield(Job(lane: lane, work: work))
    }

    /// Runs `work` after `delay` (lane ``Lane/backOffs``), passing `true`; or at once with `false`
    /// when ``interruptDelays()`` comes first — even if it comes before the delay has begun.
    func startDelayed(by delay: Duration, _ work: @escaping @Sendable (_ waited: Bool) async -> Void) {
        let generation = ledger.generation
        start(.backOffs) { [ledger] in
            await work(await ledger.sleep(for: delay, unlessInterruptedAfter: generation))
        }
    }

    /// Ends every delay started so far (shutdown: nothing should wait out a back-off). Delays
    /// started afterwards run in full.
    func interruptDelays() {
        ledger.interrupt()
    }

    /// Waits until no work of `lanes` runs or waits to run.
    func waitForAll(_ lanes: Set<Lane> = Set(Lane.allCases)) async {
        await ledger.waitUntilIdle(lanes)
    }
}

extension BackgroundWork {
    /// Counts per lane, and who waits on them: shared by the value and its group's loop.
    fileprivate final class Ledger: Sendable {
        private struct State {
            var running: [Lane: Int] = [:]
            var idleWaiters: [CheckedContinuation<Bool, Never>] = []
            var generation = 0
            var interruptWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
            var cancelledWaits: Set<Int> = []
            var nextWait = 0
        }

        private let state = Mutex(State())

        var generation: Int { state.withLock { $0.generation } }

        func started(_ lane: Lane) {
            state.withLock { $0.running[lane, default: 0] += 1 }
        }

        func finished(_ lane: Lane) {
            let waiters = state.withLock { state in
                state.running[lane, default: 1] -= 1
                defer { state.idleWaiters = [] }
                return state.idleWaiters
            }
            for waiter in waiters { waiter.resume(returning: false) }
        }

        func waitUntilIdle(_ lanes: Set<Lane>) async {
            // Each finished job wakes every waiter, which looks again: it may wait for other lanes.
            while true {
                let idle: Bool = await withCheckedContinuation { continuation in
                    let idle = state.withLock { state in
                        let idle = lanes.allSatisfy { state.running[$0, default: 0] == 0 }
                        if !idle { state.idleWaiters.append(continuation) }
                        return idle
                    }
                    if idle { continuation.resume(returning: true) }
                }
                if idle { return }
            }
        }

        func interrupt() {
            let waiters = state.withLock { state in
                state.generation += 1
                defer { state.interruptWaiters = [:] }
                return Array(state.interruptWaiters.values)
            }
            for waiter in waiters { waiter.resume() }
        }

        /// Sleeps for `delay`; `false` when an interruption after `generation` cut it short.
        func sleep(for delay: Duration, unlessInterruptedAfter generation: Int) async -> Bool {
            await withTaskGroup(of: Bool.self) { group in
                group.addTask { (try? await Task.sleep(for: delay)) != nil }
                group.addTask {
                    await self.interruption(after: generation)
                    return false
                }
                let first = await group.next() ?? false
                group.cancelAll()
                return first
            }
        }

        /// Returns once an interruption after `generation` happens, or the task is cancelled.
        private func interruption(after generation: Int) async {
            let id = state.withLock { state in
                defer { state.nextWait += 1 }
                return state.nextWait
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let now = state.withLock { state in
                        let now = state.generation > generation || state.cancelledWaits.remove(id) != nil
                        if !now { state.interruptWaiters[id] = continuation }
                        return now
                    }
                    if now { continuation.resume() }
                }
            } onCancel: {
                let waiter = state.withLock { state in
                    let waiter = state.interruptWaiters.removeValue(forKey: id)
                    if waiter == nil { state.cancelledWaits.insert(id) }
                    return waiter
                }
                waiter?.resume()
            }
        }
    }
}
