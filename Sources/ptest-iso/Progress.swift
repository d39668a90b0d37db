import Foundation
import IsolationCore
import Synchronization

/// Shows the manager's events on stderr while a long operation runs, so
/// stdout keeps only the result (`ID=$(ptest-iso create ...)` works).
///
/// On a terminal one status line is redrawn with the elapsed time; otherwise
/// (a log, CI) each event is a plain line — unless `onlyOnTerminal`, for commands
/// whose stderr carries the output of what they ran.
enum Progress {
    static func showing<T: Sendable>(
        _ manager: IsolationManager, _ what: String, onlyOnTerminal: Bool = false, quiet: Bool = false,
        _ work: () async throws -> T
    ) async throws -> T {
        if quiet { return try await work() }
        let terminal = StandardStream.errorIsTerminal
        if onlyOnTerminal && !terminal { return try await work() }
        let events = manager.events()
        let line = StatusLine(what)
        let start = ContinuousClock.now
        return try await withThrowingTaskGroup(of: Void.self) { group in
            defer {
                group.cancelAll()
                if terminal { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
            }
            group.addTask {
                // A failure's event repeats the error the command ends with.
                for await event in events where event.kind != .error {
                    let text = describe(event)
                    if terminal {
                        line.text.withLock { $0 = text }
                    } else {
                        StandardStream.error(text)
                    }
                }
            }
            if terminal {
                group.addTask {
                    while !Task.isCancelled {
                        let elapsed = " (\(ProgressFormat.duration(.seconds((ContinuousClock.now - start).components.seconds))))"
                        // Cut to the terminal's width: a wrapped line is not erased by the redraw.
                        let width = (RawTerminal.windowSize()?.columns ?? 80) - elapsed.count - 1
                        let text = ProgressFormat.fit(line.text.withLock { $0 }, width: width)
                        FileHandle.standardError.write(Data("\r\u{1B}[2K\(text)\(elapsed)".utf8))
                        try? await Task.sleep(for: .milliseconds(250))
                    }
                }
            }
            return try await work()
        }
    }

    static func describe(_ event: IsolationEvent) -> String {
        let subject = (event.environment ?? event.snapshot).map { " \($0)" } ?? ""
        let detail = event.detail.map { ": \($0)" } ?? ""
        return "\(event.kind.rawValue)\(subject)\(detail)"
    }
}

/// The latest event's text, shared between the task reading events and the one redrawing.
private final class StatusLine: Sendable {
    let text: Mutex<String>

    init(_ text: String) {
        self.text = Mutex(text)
    }
}
