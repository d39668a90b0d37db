import Dispatch
import IsolationProtocol
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
        _ work: @escaping @Sendable (ChunkHandoff) async throws -> T, registry: InFlight, name: String?, deliver: (StreamChunk) -> Bool
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
        let token = registry.add(task, name: name)
        var stopped = false
        while let chunk = handoff.take() {
            if !stopped && !deliver(chunk) {
                stopped = true
                task.cancel()
            }
        }
        registry.remove(token)
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

/// The calls a handle has in flight, so `cancel_all` can cancel them, and `cancel` one
/// streamed call by the `call_id` its caller gave it.
final class InFlight: Sendable {
    private struct Calls {
        var next: UInt64 = 0
        var cancels: [UInt64: @Sendable () -> Void] = [:]
        var named: [String: UInt64] = [:]
        /// Ids cancelled before their call was registered (the caller's threads race): such a
        /// call is cancelled as it starts.
        var cancelledEarly: Set<String> = []
    }

    private let calls = Mutex(Calls())

    func add<T: Sendable>(_ task: Task<T, Never>, name: String? = nil) -> UInt64 {
        let (token, cancelNow) = calls.withLock { calls -> (UInt64, Bool) in
            calls.next += 1
            calls.cancels[calls.next] = { task.cancel() }
            guard let name else { return (calls.next, false) }
            calls.named[name] = calls.next
            return (calls.next, calls.cancelledEarly.remove(name) != nil)
        }
        if cancelNow { task.cancel() }
        return token
    }

    func remove(_ token: UInt64) {
        calls.withLock { calls in
            calls.cancels[token] = nil
            calls.named = calls.named.filter { $0.value != token }
        }
    }

    /// Cancels every call in flight; returns how many.
    func cancelAll() -> Int {
        let cancels = calls.withLock { Array($0.cancels.values) }
        for cancel in cancels { cancel() }
        return cancels.count
    }

    /// Cancels the call registered as `name`, or the one that registers as `name` next.
    /// Returns whether it was running.
    func cancel(named name: String) -> Bool {
        let cancel = calls.withLock { calls -> (@Sendable () -> Void)? in
            guard let token = calls.named[name], let cancel = calls.cancels[token] else {
                calls.cancelledEarly.insert(name)
                return nil
            }
            return cancel
        }
        cancel?()
        return cancel != nil
    }
}
