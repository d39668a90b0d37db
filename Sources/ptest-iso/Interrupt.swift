import ArgumentParser
import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs work that lasts until something outside ends it (`logs --follow`),
/// cancelling it on SIGINT or SIGTERM so its connections close cleanly, then
/// exits with ``ExitStatus/interrupted``.
func untilInterrupted(_ work: @escaping @Sendable () async throws -> Void) async throws {
    let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
    let sources = [SIGINT, SIGTERM].map { number in
        // The default action would kill the process before the work could be cancelled.
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
    let interrupted = try await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask {
            try await work()
            return false
        }
        group.addTask {
            for await _ in signals { return true }
            return false
        }
        defer { group.cancelAll() }
        return try await group.next() ?? false
    }
    if interrupted { throw ExitCode(ExitStatus.interrupted) }
}
