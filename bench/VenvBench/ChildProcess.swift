import BenchSupport
import Dispatch
import Foundation

/// Runs a program to completion with Foundation's `Process`: stdin from
/// `/dev/null`, stdout and stderr into one pipe read to its end, then the
/// exit awaited.
///
/// One pipe for both streams, so reading one can never block on the other
/// filling up. On Linux `Process` closes every descriptor above 2 in the
/// child, and closes its own copy of the pipe's write end after the spawn,
/// so no child inherits a pipe it could keep open and end of file comes
/// when the child (and whatever it started holding the pipe) exits. The
/// blocking read and wait run on a dedicated queue, off Swift's cooperative
/// pool (two threads on this machine).
enum ChildProcess {
    struct Output: Sendable {
        /// The exit status, or 128 + the signal that ended it.
        var status: Int32
        /// stdout and stderr, interleaved.
        var output: Data

        var text: String { String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    private static let queue = DispatchQueue(label: "venv-bench.spawn")

    /// Runs `executable` with exactly `environment`. A non-zero exit is a result, not an error.
    ///
    /// - Throws: ``BenchFailure`` when the program cannot be started.
    static func run(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try runAndWait(executable, arguments, environment) })
            }
        }
    }

    /// Runs the program and fails unless it exits 0.
    @discardableResult
    static func check(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> Output {
        let output = try await run(executable, arguments, environment: environment)
        guard output.status == 0 else {
            let shown = ([executable] + arguments).joined(separator: " ")
            throw BenchFailure("`\(shown)` exited \(output.status): \(output.text)")
        }
        return output
    }

    private static func runAndWait(_ executable: String, _ arguments: [String], _ environment: [String: String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            throw BenchFailure("cannot start \(executable): \(error)")
        }
        let reader = pipe.fileHandleForReading
        let output = reader.readDataToEndOfFile()
        try? reader.close()
        process.waitUntilExit()
        let status = process.terminationStatus
        return Output(status: process.terminationReason == .uncaughtSignal ? 128 + status : status, output: output)
    }
}
