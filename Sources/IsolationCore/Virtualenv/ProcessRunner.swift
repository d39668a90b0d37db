import Dispatch
import Foundation
import Subprocess
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a child process in a session of its own, so that a timeout — and
/// the end of the command — takes every process it started with it.
enum ProcessRunner {
    /// Runs `executable` with exactly `environment` (nothing inherited) and returns its whole
    /// output: the fold of ``stream(executable:arguments:environment:workingDirectory:stdin:timeout:output:)``.
    ///
    /// - Throws: ``IsolationError/Code/ioFailure`` when the process cannot be started or writes
    ///   more than ``CommandOutputGatherer/limit`` to one stream.
    static func run(
        executable: String,
        arguments: [String],
        environment: [String: String],
        workingDirectory: String? = nil,
        stdin: Data? = nil,
        timeout: Duration? = nil
    ) async throws -> CommandResult {
        let gathered = CommandOutputGatherer()
        let exit = try await stream(
            executable: executable, arguments: arguments, environment: environment, workingDirectory: workingDirectory, stdin: stdin,
            timeout: timeout, output: gathered.sink)
        return gathered.result(exit)
    }

    /// Runs `executable` with exactly `environment` (nothing inherited), handing its stdout and
    /// stderr to `output` as they are read.
    ///
    /// A non-zero exit is a result. At `timeout` the whole process group is
    /// killed and ``CommandExit/timedOut`` is set; when the command
    /// exits, stragglers it left in its group are killed too, so none holds
    /// the output pipes open. When the calling task is cancelled or `output`
    /// throws, the group is killed before this returns.
    ///
    /// - Throws: ``IsolationError/Code/ioFailure`` when the process cannot be started,
    ///   `cancelled`, what `output` throws.
    static func stream(
        executable: String,
        arguments: [String],
        environment: [String: String],
        workingDirectory: String? = nil,
        stdin: Data? = nil,
        timeout: Duration? = nil,
        output: CommandOutputSink
    ) async throws -> CommandExit {
        var options = PlatformOptions()
        options.createSession = true
        let variables = Dictionary(
            uniqueKeysWithValues: environment.compactMap { key, value in
                Subprocess.Environment.Key(rawValue: key).map { ($0, value) }
            })
        let configuration = Configuration(
            executable: .path(FilePath(executable)),
            arguments: Arguments(arguments),
            environment: .custom(variables),
            workingDirectory: workingDirectory.map { FilePath($0) },
            platformOptions: options
        )
        let started = ContinuousClock.now
        let timedOut = Flag()
        let outcome: ExecutionResult<Void, SequenceOutput, SequenceOutput>
        do {
            outcome = try await Subprocess.run(configuration, input: .inputWriter, output: .sequence, error: .sequence) { execution in
                let pid = execution.processIdentifier.value
                let pidfd = execution.processIdentifier.processDescriptor
                // The group dies with the call: a cancelled reader must not leave the command running.
                try await withTaskCancellationHandler {
                    do {
                        try await pump(
                            execution, pid: pid, pidfd: pidfd, stdin: stdin, timeout: timeout, timedOut: timedOut, output: output)
                    } catch {
                        kill(-pid, SIGKILL)
                        throw error
                    }
                } onCancel: {
                    kill(-pid, SIGKILL)
                }
            }
        } catch let error as IsolationError {
            throw error
        } catch {
            if Task.isCancelled || error is CancellationError {
                throw IsolationError(.cancelled, "\(executable) was cancelled (and killed with its process group)")
            }
            throw IsolationError(.ioFailure, "cannot run \(executable): \(error)")
        }
        if Task.isCancelled {
            throw IsolationError(.cancelled, "\(executable) was cancelled (and killed with its process group)")
        }
        let exitCode: Int32
        switch outcome.terminationStatus {
        case .exited(let code): exitCode = code
        case .signaled(let signal): exitCode = 128 + signal
        }
        return CommandExit(exitCode: exitCode, durationSeconds: (ContinuousClock.now - started).seconds, timedOut: timedOut.isSet)
    }

    /// Feeds stdin, forwards both output pipes until they end, and kills the group at the
    /// timeout or, once the command has exited, to take stragglers that hold the pipes open.
    private static func pump(
        _ execution: Execution<CustomWriteInput, SequenceOutput, SequenceOutput>, pid: pid_t, pidfd: CInt, stdin: Data?, timeout: Duration?,
        timedOut: Flag, output: CommandOutputSink
    ) async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            let (stdout, stderr) = (execution.standardOutput, execution.standardError)
            group.addTask {
                for try await buffer in stdout { try await output.stdout(buffer.withUnsafeBytes { Data($0) }) }
                return true
            }
            group.addTask {
                for try await buffer in stderr { try await output.stderr(buffer.withUnsafeBytes { Data($0) }) }
                return true
            }
            group.addTask {
                await withTaskGroup(of: Void.self) { watch in
                    watch.addTask { await waitForExit(pidfd) }
                    if let timeout {
                        watch.addTask {
                            try? await Task.sleep(for: timeout)
                            if !Task.isCancelled { timedOut.set() }
                        }
                    }
                    await watch.next()
                    watch.cancelAll()
                }
                if !Task.isCancelled { kill(-pid, SIGKILL) }
                return false
            }
            if let stdin, !stdin.isEmpty {
                _ = try? await execution.standardInputWriter.write(Array(stdin))
            }
            try? await execution.standardInputWriter.finish()
            var readersDone = 0
            while readersDone < 2, let isReader = try await group.next() {
                if isReader { readersDone += 1 }
            }
            group.cancelAll()
        }
    }

    /// Returns when the process behind `pidfd` has exited (or the task is cancelled).
    private static func waitForExit(_ pidfd: CInt) async {
        guard pidfd >= 0 else { return }
        // Safe to share: a dispatch source's resume and cancel may be called from any thread.
        nonisolated(unsafe) let source = DispatchSource.makeReadSource(fileDescriptor: pidfd, queue: .global())
        let resumed = Flag()
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                source.setEventHandler {
                    if resumed.setFirst() { continuation.resume() }
                    source.cancel()
                }
                source.setCancelHandler {
                    if resumed.setFirst() { continuation.resume() }
                }
                source.resume()
            }
        } onCancel: {
            source.cancel()
        }
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// A boolean that many tasks may set and read.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set() { value.store(true, ordering: .releasing) }

    /// Sets the flag; `true` only for the first caller.
    func setFirst() -> Bool { !value.exchange(true, ordering: .acquiringAndReleasing) }
}
