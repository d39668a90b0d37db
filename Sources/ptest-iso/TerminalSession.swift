import Dispatch
import Foundation
import IsolationCore

#if canImport(Glibc)
    import Glibc
#endif

/// Joins the local terminal to an interactive session: raw mode for its length, stdin (with
/// `forwardInput`) to the session, its output to stdout, SIGWINCH to a resize.
///
/// - Parameter open: starts the session (``IsolationManager/interactive(_:_:size:_:)`` or
///   ``IsolationManager/shell(_:environment:size:_:)``) at the given size and runs the body.
/// - Returns: the command's exit code.
func attachTerminal(
    forwardInput: Bool,
    _ open: (TerminalSize, (InteractiveSession) async throws -> Int32) async throws -> Int32
) async throws -> Int32 {
    let raw = RawTerminal()
    defer { raw?.restore() }
    return try await open(RawTerminal.windowSize() ?? .standard) { session in
        try await withThrowingTaskGroup(of: Void.self, returning: Int32.self) { group in
            if forwardInput {
                group.addTask { try await forwardStandardInput(to: session) }
            }
            group.addTask { try await forwardWindowChanges(to: session) }
            for try await chunk in session.output {
                StandardStream.write(chunk, to: .standardOutput)
            }
            // The command has ended: nothing more to send it.
            group.cancelAll()
            while (try? await group.next()) != nil {}
            return try await session.exitCode()
        }
    }
}

/// Reads stdin as it becomes readable (a dispatch source: no thread waits in `read`) and writes
/// it to the session; at its end, closes the session's input.
private func forwardStandardInput(to session: InteractiveSession) async throws {
    let (chunks, continuation) = AsyncStream.makeStream(of: Data.self)
    let source = DispatchSource.makeReadSource(fileDescriptor: STDIN_FILENO, queue: .global())
    source.setEventHandler {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(STDIN_FILENO, &buffer, buffer.count)
        if count > 0 {
            continuation.yield(Data(buffer[..<count]))
        } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
            continuation.finish()
            source.cancel()
        }
    }
    source.resume()
    defer {
        source.cancel()
        continuation.finish()
    }
    try await withTaskCancellationHandler {
        for await chunk in chunks { try await session.write(chunk) }
    } onCancel: {
        continuation.finish()
    }
    if !Task.isCancelled { await session.closeInput() }
}

/// Passes each SIGWINCH on as a resize to the window's new size.
private func forwardWindowChanges(to session: InteractiveSession) async throws {
    let (changes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    // SIGWINCH is ignored by default; the dispatch source sees it all the same.
    let source = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .global())
    source.setEventHandler { continuation.yield() }
    source.resume()
    defer {
        source.cancel()
        continuation.finish()
    }
    await withTaskCancellationHandler {
        for await _ in changes {
            if let size = RawTerminal.windowSize() { try? await session.resize(size) }
        }
    } onCancel: {
        continuation.finish()
    }
}
