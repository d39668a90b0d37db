import Foundation
import Synchronization

/// Hands every event to every subscriber, in one order for all.
final class EventBroadcaster: Sendable {
    private struct State {
        var sequence: UInt64 = 0
        var subscribers: [UUID: AsyncStream<IsolationEvent>.Continuation] = [:]
    }

    private let state = Mutex(State())
    /// Keeps the event where other processes can read it (the state database's event log).
    private let record: @Sendable (IsolationEvent) -> Void

    init(record: @escaping @Sendable (IsolationEvent) -> Void = { _ in }) {
        self.record = record
    }

    func subscribe() -> AsyncStream<IsolationEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: IsolationEvent.self, bufferingPolicy: .unbounded)
        let id = UUID()
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        state.withLock { $0.subscribers[id] = continuation }
        return stream
    }

    /// Numbers and delivers an event; yielding under the lock keeps one order for all subscribers.
    func emit(_ kind: IsolationEvent.Kind, environment: String? = nil, snapshot: String? = nil, detail: String? = nil) {
        let event = state.withLock { state in
            state.sequence += 1
            let event = IsolationEvent(
                sequence: state.sequence, kind: kind, environment: environment, snapshot: snapshot, time: Date(), detail: detail)
            for continuation in state.subscribers.values {
                continuation.yield(event)
            }
            return event
        }
        // Outside the lock: a database write may wait on another process.
        if kind != .progress { record(event) }
    }

    func finish() {
        let subscribers = state.withLock { state in
            defer { state.subscribers = [:] }
            return Array(state.subscribers.values)
        }
        for continuation in subscribers { continuation.finish() }
    }
}
