import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a bench's command line parses into.
package protocol BenchCommandLine {
    static var usage: String { get }
    /// `nil` for `--help`.
    static func parse(_ arguments: [String]) throws -> Self?
}

/// Runs a bench: parses its options and maps the outcome to the exit codes
/// both benches share (0 ran, 1 failed, 64 bad arguments, 130 interrupted).
package func benchMain<Options: BenchCommandLine>(_ name: String, _ run: (Options) async throws -> Void) async {
    let options: Options
    do {
        guard let parsed = try Options.parse(Array(CommandLine.arguments.dropFirst())) else {
            print(Options.usage)
            return
        }
        options = parsed
    } catch {
        diagnostic("\(name): \(error)\n\n\(Options.usage)")
        exit(64)
    }
    do {
        try await run(options)
    } catch is CancellationError {
        diagnostic("\(name): interrupted")
        exit(130)
    } catch {
        diagnostic("\(name): \(error)")
        exit(1)
    }
}

/// Runs the measuring as a task that Ctrl-C or SIGTERM cancels, so the
/// caller's cleanup still runs afterwards.
package func measuringUntilInterrupted<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async -> (
    result: Result<T, any Error>, interrupted: Bool
) {
    let measuring = Task { try await work() }
    let sources = [SIGINT, SIGTERM].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { measuring.cancel() }
        source.resume()
        return source
    }
    let outcome = await measuring.result
    for source in sources { source.cancel() }
    return (outcome, measuring.isCancelled)
}
