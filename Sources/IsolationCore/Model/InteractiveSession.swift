public import Foundation

/// A command running with a terminal (``IsolationManager/interactive(_:_:size:_:)``): its
/// output as it comes, its input, its window, and its exit code.
///
/// Valid inside the call that handed it out. Read ``output`` to its end before
/// ``exitCode()``: the command waits while its reader is behind.
public struct InteractiveSession: Sendable {
    /// What the terminal prints, raw (stdout and stderr merged, as on any terminal); ends when
    /// the command has ended.
    public let output: InteractiveOutput
    let terminal: OneShot<any InteractiveTerminal>
    let exit: OneShot<Int32>

    /// Sends bytes to the command's terminal, as typed (`\u{3}` is Ctrl-C).
    ///
    /// - Throws: what stopped the command from starting; an I/O error once it has ended.
    public func write(_ data: Data) async throws {
        try await terminal.value().write(data)
    }

    /// No more input; the command keeps running.
    public func closeInput() async {
        await (try? terminal.value())?.closeInput()
    }

    /// Sets the terminal's window size; the command gets SIGWINCH.
    public func resize(_ size: TerminalSize) async throws {
        try await terminal.value().resize(size.clamped)
    }

    /// The command's exit code (128 + the signal for one killed by a signal), once it has ended.
    ///
    /// - Throws: what ended the session otherwise (the daemon went away, `cancelled`).
    public func exitCode() async throws -> Int32 {
        try await exit.value()
    }
}

/// An interactive session's output, in chunks as the terminal printed them. Iterate it once,
/// from one task.
public struct InteractiveOutput: AsyncSequence, Sendable {
    public typealias Element = Data
    public typealias Failure = any Error

    let channel: BoundedChannel<Data>

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(channel: channel)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let channel: BoundedChannel<Data>

        public mutating func next() async throws -> Data? {
            try await channel.next()
        }
    }
}
