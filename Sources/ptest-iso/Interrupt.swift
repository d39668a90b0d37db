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
    let signals = InterruptSignals.install()
    defer { signals.uninstall() }
    let arrivals = signals.arrivals
    let outcome = try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await work() }
        group.addTask {
            for await _ in arrivals { return nil }
            return nil
        }
        // Leaving the group waits for the cancelled work to finish its cleanup.
        defer { group.cancelAll() }
        return try await group.next() ?? nil
    }
    // While the signals are still caught: the events of the work's cleanup reach the log
    // before a second Ctrl-C could end the process with the default action.
    await OpenedManagers.shared.settleEvents()
    guard let outcome else { throw ExitCode(ExitStatus.interrupted) }
    return outcome
}

/// SIGINT and SIGTERM, delivered through a pipe.
///
/// The handler is installed with `sigaction` before the work starts and only writes the
/// signal's number to the pipe (`write` is async-signal-safe); the byte waits there until it
/// is read. A dispatch signal source would not do: its registration completes later, on
/// dispatch's own thread, and a signal sent in between — right after the command printed its
/// first progress line, on a loaded machine — was ignored.
final class InterruptSignals {
    /// One element per signal; finished when the signals are uninstalled.
    let arrivals: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation
    /// `nil` when no pipe could be made: the signals then keep their default action.
    private let source: (any DispatchSourceRead)?

    private init(pipe: (read: Int32, write: Int32)?) {
        (arrivals, continuation) = AsyncStream.makeStream(of: Void.self)
        guard let pipe else {
            source = nil
            return
        }
        let source = DispatchSource.makeReadSource(fileDescriptor: pipe.read, queue: .global())
        source.setEventHandler { [continuation] in
            var byte: UInt8 = 0
            if read(pipe.read, &byte, 1) == 1 { continuation.yield() }
        }
        // Closed once dispatch has stopped watching the read end.
        source.setCancelHandler {
            close(pipe.read)
            close(pipe.write)
        }
        source.resume()
        self.source = source
    }

    static func install() -> InterruptSignals {
        var fds: [Int32] = [-1, -1]
        guard Glibc.pipe(&fds) == 0 else { return InterruptSignals(pipe: nil) }
        // Close-on-exec, so installers and helpers the work starts do not hold the pipe;
        // non-blocking, so the handler never waits on a full pipe.
        for fd in fds {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        let signals = InterruptSignals(pipe: (fds[0], fds[1]))
        interruptPipeWriteEnd = fds[1]
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in
            var byte = UInt8(truncatingIfNeeded: number)
            _ = write(interruptPipeWriteEnd, &byte, 1)
        }
        action.sa_flags = SA_RESTART
        for number in [SIGINT, SIGTERM] { sigaction(number, &action, nil) }
        return signals
    }

    func uninstall() {
        if source != nil {
            for number in [SIGINT, SIGTERM] { signal(number, SIG_DFL) }
        }
        interruptPipeWriteEnd = -1
        source?.cancel()
        continuation.finish()
    }
}

/// The pipe the signal handler writes to. Safe unsynchronised: set before the handler is
/// installed and reset after it is replaced, on the command's one `interruptible` call at a
/// time; the handler only reads it (and a write to -1 fails harmlessly).
nonisolated(unsafe) private var interruptPipeWriteEnd: Int32 = -1
