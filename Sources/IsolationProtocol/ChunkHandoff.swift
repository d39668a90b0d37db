import Dispatch
package import Foundation
import Synchronization

/// One piece of a streamed call's output, on its way to the C caller.
package struct StreamChunk: Sendable {
    /// `PTEST_ISO_STREAM_STDOUT` (1) or `PTEST_ISO_STREAM_STDERR` (2).
    package var stream: Int32
    package var data: Data
}

/// Hands a streamed call's chunks from the Swift task that produces them to the caller's own
/// thread, which runs the C callback: the callback then never runs on a Swift concurrency
/// thread, and chunks reach it one at a time, in order.
///
/// The producer awaits (never blocks) while `capacity` chunks wait for the caller, so a slow
/// callback slows the command instead of growing memory; the caller's thread blocks, which is
/// what a C call does. One producer, one consumer.
package final class ChunkHandoff: Sendable {
    private struct State {
        var queue: [StreamChunk] = []
        var sender: CheckedContinuation<Void, Never>?
        var finished = false
    }

    private let capacity = 16
    private let state = Mutex(State())
    /// Counts queued chunks plus the end, so `take` sleeps only while there is nothing to take.
    private let available = DispatchSemaphore(value: 0)

    package init() {}

    package func send(_ chunk: StreamChunk) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let queued = state.withLock { state -> Bool in
                state.queue.append(chunk)
                guard state.queue.count > capacity else { return true }
                // Queued, but over capacity: resumed when the caller takes one.
                state.sender = continuation
                return false
            }
            available.signal()
            if queued { continuation.resume() }
        }
    }

    /// No more chunks will come.
    package func finish() {
        state.withLock { $0.finished = true }
        available.signal()
    }

    /// The next chunk, blocking the calling (foreign) thread until there is one; `nil` after
    /// ``finish()`` once everything was taken. The caller must take until `nil`, so that a
    /// waiting producer is always let go.
    package func take() -> StreamChunk? {
        while true {
            available.wait()
            let (chunk, sender, done) = state.withLock { state -> (StreamChunk?, CheckedContinuation<Void, Never>?, Bool) in
                guard !state.queue.isEmpty else { return (nil, nil, state.finished) }
                let chunk = state.queue.removeFirst()
                defer { state.sender = nil }
                return (chunk, state.queue.count <= capacity ? state.sender : nil, false)
            }
            sender?.resume()
            if let chunk { return chunk }
            if done { return nil }
        }
    }
}
