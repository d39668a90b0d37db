import Dispatch
import Synchronization

/// Runs async work to completion for a caller on a thread of its own.
///
/// The C functions are called on threads the caller owns (Python's), so
/// blocking that thread on a semaphore is safe; blocking a Swift
/// concurrency thread is not (with two cores, the pool may have no thread
/// left to run the work it waits for). A call made from inside a Swift task
/// is therefore refused instead of deadlocking.
enum Bridge {
    static func run<T: Sendable>(
        _ work: @escaping @Sendable () async throws -> T, registry: InFlight? = nil
    ) -> Result<T, any Error> {
        if withUnsafeCurrentTask(body: { $0 != nil }) {
            return .failure(
                ABIError.invalidArgument("a ptest_iso call was made from inside a Swift task; call it from a thread of your own"))
        }
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let task = Task.detached {
            let result: Result<T, any Error>
            do {
                result = .success(try await work())
            } catch {
                result = .failure(error)
            }
            box.set(result)
            done.signal()
        }
        let token = registry?.add(task)
        done.wait()
        if let token { registry?.remove(token) }
        return box.get() ?? .failure(ABIError(status: -17, code: "internal", message: "the operation ended without a result"))
    }
}

extension Bridge {
    /// Like ``run(_:registry:)``, and meanwhile hands each chunk `work` sends to `deliver` on the
    /// caller's thread, in order. When `deliver` returns false the work is cancelled (the rest
    /// of its chunks are dropped) and the call ends as `cancelled`.
    static func stream<T: Sendable>(
        _ work: @escaping @Sendable (ChunkHandoff) async throws -> T, registry: InFlight? = nil, deliver: (StreamChunk) -> Bool
    ) -> Result<T, any Error> {
        if withUnsafeCurrentTask(body: { $0 != nil }) {
            return .failure(
                ABIError.invalidArgument("a ptest_iso call was made from inside a Swift task; call it from a thread of your own"))
        }
        let handoff = ChunkHandoff()
        let box = ResultBox<T>()
        let task = Task.detached {
            let result: Result<T, any Error>
            do {
                result = .success(try await work(handoff))
            } catch {
                result = .failure(error)
            }
            box.set(result)
            handoff.finish()
        }
        let token = registry?.add(task)
        var stopped = false
        while let chunk = handoff.take() {
            if !stopped && !deliver(chunk) {
                stopped = true
                task.cancel()
            }
        }
        if let token { registry?.remove(token) }
        if stopped {
            return .failure(ABIError(status: -12, code: "cancelled", message: "the chunk callback asked to stop; the command was killed"))
        }
        return box.get() ?? .failure(ABIError(status: -17, code: "internal", message: "the operation ended without a result"))
    }
}

/// Hands one result from the task that computed it to the waiting thread.
final class ResultBox<T: Sendable>: Sendable {
    private let value = Mutex<Result<T, any Error>?>(nil)

    func set(_ result: Result<T, any Error>) {
        value.withLock { $0 = result }
    }

    func get() -> Result<T, any Error>? {
        value.withLock { $0 }
    }
}

/// The calls a handle has in flight, so `cancel_all` can cancel them.
final class InFlight: Sendable {
    private let tasks = Mutex<[UInt64: @Sendable () -> Void]>([:])
    private let counter = Mutex<UInt64>(0)

    func add<T: Sendable>(_ task: Task<T, Never>) -> UInt64 {
        let token = counter.withLock { value -> UInt64 in
            value += 1
            return value
        }
        tasks.withLock { $0[token] = { task.cancel() } }
        return token
    }

    func remove(_ token: UInt64) {
        _ = tasks.withLock { $0.removeValue(forKey: token) }
    }

    /// Cancels every call in flight; returns how many.
    func cancelAll() -> Int {
        let cancels = tasks.withLock { Array($0.values) }
        for cancel in cancels { cancel() }
        return cancels.count
    }
}
