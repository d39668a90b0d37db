import Synchronization

/// A queue of at most `capacity` elements between producers and one consumer: a send waits
/// while the queue is full, so a slow reader slows the writer instead of growing memory.
///
/// Sends and the consumer's `next` give up with `CancellationError` when their task is
/// cancelled; after ``close()`` (the consumer has gone) every send fails, so a producer never
/// waits for a reader that will not come.
final class BoundedChannel<Element: Sendable>: Sendable {
    private struct Waiting {
        var id: UInt64
        var element: Element
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var buffer: [Element] = []
        var senders: [Waiting] = []
        var receiver: CheckedContinuation<Element?, any Error>?
        /// Set once the producer side has ended: `nil` after the end has been read.
        var end: Result<Void, any Error>?
        var ended = false
        var closed = false
        var nextID: UInt64 = 0
    }

    private enum SendAction {
        case none, accepted, failed
        case handed(CheckedContinuation<Element?, any Error>)
    }

    private enum NextAction {
        case none
        case element(Element, CheckedContinuation<Void, any Error>?)
        case end(Result<Void, any Error>?)
        case cancelled
    }

    private let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
    }

    func send(_ element: Element) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let action = state.withLock { state -> SendAction in
                    // Checked under the lock, so a cancellation either is seen here or finds the sender queued.
                    if state.closed || state.ended || Task.isCancelled { return .failed }
                    if let receiver = state.receiver {
                        state.receiver = nil
                        return .handed(receiver)
                    }
                    if state.buffer.count < capacity {
                        state.buffer.append(element)
                        return .accepted
                    }
                    state.senders.append(Waiting(id: id, element: element, continuation: continuation))
                    return .none
                }
                switch action {
                case .none: break
                case .accepted: continuation.resume()
                case .failed: continuation.resume(throwing: CancellationError())
                case .handed(let receiver):
                    receiver.resume(returning: element)
                    continuation.resume()
                }
            }
        } onCancel: {
            let cancelled = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.senders.firstIndex(where: { $0.id == id }) else { return nil }
                return state.senders.remove(at: index).continuation
            }
            cancelled?.resume(throwing: CancellationError())
        }
    }

    /// Ends the producer side; the consumer reads what is queued, then `nil` (or `error`).
    func finish(throwing error: (any Error)? = nil) {
        let receiver = state.withLock { state -> CheckedContinuation<Element?, any Error>? in
            guard !state.ended else { return nil }
            state.ended = true
            state.end = error.map { .failure($0) } ?? .success(())
            guard state.buffer.isEmpty, let receiver = state.receiver else { return nil }
            state.receiver = nil
            state.end = nil
            return receiver
        }
        guard let receiver else { return }
        if let error { receiver.resume(throwing: error) } else { receiver.resume(returning: nil) }
    }

    /// The consumer has gone: queued elements are dropped and every send, waiting or later, fails.
    func close() {
        let senders = state.withLock { state -> [Waiting] in
            state.closed = true
            state.buffer = []
            defer { state.senders = [] }
            return state.senders
        }
        for sender in senders { sender.continuation.resume(throwing: CancellationError()) }
    }

    /// The next element; `nil` once the producer side has finished and everything was read.
    /// One consumer at a time.
    func next() async throws -> Element? {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Element?, any Error>) in
                let action = state.withLock { state -> NextAction in
                    if !state.buffer.isEmpty {
                        let element = state.buffer.removeFirst()
                        guard !state.senders.isEmpty else { return .element(element, nil) }
                        let sender = state.senders.removeFirst()
                        state.buffer.append(sender.element)
                        return .element(element, sender.continuation)
                    }
                    if state.ended {
                        defer { state.end = nil }
                        return .end(state.end)
                    }
                    if Task.isCancelled { return .cancelled }
                    state.receiver = continuation
                    return .none
                }
                switch action {
                case .none: break
                case .element(let element, let sender):
                    sender?.resume()
                    continuation.resume(returning: element)
                case .end(.failure(let error)?): continuation.resume(throwing: error)
                case .end: continuation.resume(returning: nil)
                case .cancelled: continuation.resume(throwing: CancellationError())
                }
            }
        } onCancel: {
            let receiver = state.withLock { state -> CheckedContinuation<Element?, any Error>? in
                defer { state.receiver = nil }
                return state.receiver
            }
            receiver?.resume(throwing: CancellationError())
        }
    }
}
