import ArgumentParser
import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs work that a person may stop with Ctrl-C (or a supervisor with SIGTERM):
/// the signal cancels it, and its own cleanup runs (a half-made environment is
/// removed and recorded as failed, a log stream is closed), then the command
/// exits with ``ExitStatus/interrupted``.
func interruptible<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
    let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
    let sources = [SIGINT, SIGTERM].map { number in
        // The default action would end the process before the work could clean up.
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number)
        source.setEventHandler { continuation.yield(number) }
        source.resume()
        return source
    }
    defer {
        for source in sources { source.cancel() }
        continuation.finish()
    }
    let outcome = try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await work() }
        group.addTask {
            for await _ in signals { return nil }
            return nil
        }
        // Leaving the group waits for the cancelled work to finish its cleanup.
        defer { group.cancelAll() }
        return try await group.next() ?? nil
    }
    guard let outcome else { throw ExitCode(ExitStatus.interrupted) }
    return outcome
}
