/// A streamed command's events as they come (``IsolationManager/runStreaming(_:_:timeout:_:)``):
/// ``CommandEvent/stdout(_:)`` and ``CommandEvent/stderr(_:)`` chunks, then one
/// ``CommandEvent/exit(_:)``.
///
/// The command waits while its reader is behind (a few chunks are queued, no more), so a slow
/// reader costs no memory. Iterate it once, from one task.
///
/// - Throws: from iteration, what stopped the command: `timeout` when the manager's deadline
///   passed, `cancelled`, `ioFailure`, a Docker error.
public struct CommandEvents: AsyncSequence, Sendable {
    public typealias Element = CommandEvent
    public typealias Failure = any Error

    let channel: BoundedChannel<CommandEvent>

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(channel: channel)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: BoundedChannel<CommandEvent>

        public mutating func next() async throws -> CommandEvent? {
            try await channel.next()
        }
    }
}
