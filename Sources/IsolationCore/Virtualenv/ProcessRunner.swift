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
    /// Output beyond this many bytes per stream is an error rather than a memory blow-up.
    static let outputLimit = 512 << 20

    /// Runs `executable` with exactly `environment` (nothing inherited).
    ///
    /// A non-zero exit is a result. At `timeout` the whole process group is
    /// killed and ``CommandResult/timedOut`` is set; when the command
    /// exits, stragglers it left in its group are killed too, so none holds
    /// the output pipes open.
    ///
    /// - Throws: ``IsolationError/Code/ioFailure`` when the process cannot be started.
    static func run(
        executable: String,
        arguments: [String],
        environment: [String: String],
        workingDirectory: String? = nil,
        stdin: Data? = nil,
        timeout: Duration? = nil
    ) async throws -> CommandResult {
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
        let outcome: ExecutionResult<(Data, Data), SequenceOutput, SequenceOutput>
        do {
            outcome = try await Subprocess.run(configuration, input: .inputWriter, output: .sequence, error: .sequence) { execution in
                let pid = execution.processIdentifier.value
                let pidfd = execution.processIdentifier.processDescriptor
                async let out = collect(execution.standardOutput)
                async let err = collect(execution.standardError)
                let guardian = Task {
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask {
                            await waitForExit(pidfd)
                        }
                        if let timeout {
                            group.addTask {
                                try? await Task.sleep(for: timeout)
                                if !Task.isCancelled { timedOut.set() }
                            }
                        }
                        await group.next()
                        group.cancelAll()
                    }
                    if !Task.isCancelled { kill(-pid, SIGKILL) }
                }
                if let stdin, !stdin.isEmpty {
                    _ = try? await execution.standardInputWriter.write(Array(stdin))
                }
                try? await execution.standardInputWriter.finish()
                let result = try await (out, err)
                guardian.cancel()
                return result
            }
        } catch let error as IsolationError {
            throw error
        } catch {
            if Task.isCancelled {
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
        return CommandResult(
            exitCode: exitCode,
            stdout: outcome.closureResult.0,
            stderr: outcome.closureResult.1,
            durationSeconds: (ContinuousClock.now - started).seconds,
            timedOut: timedOut.isSet
        )
    }

    private static func collect(_ sequence: SubprocessOutputSequence) async throws -> Data {
        var data = Data()
        for try await buffer in sequence {
            buffer.withUnsafeBytes { data.append(contentsOf: $0) }
            if data.count > outputLimit {
                throw IsolationError(.ioFailure, "a command wrote more than \(outputLimit >> 20) MiB to one stream")
            }
        }
        return data
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
