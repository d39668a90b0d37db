public import Foundation
import Synchronization

/// What a streamed command yields (``IsolationManager/runStreaming(_:_:timeout:_:)``): its
/// output as it comes, stdout and stderr kept apart and each in order, then how it ended.
public enum CommandEvent: Sendable, Hashable {
    case stdout(Data)
    case stderr(Data)
    /// The last event: nothing follows it.
    case exit(CommandExit)
}

/// How a command ended; its output went to the caller as it came. A non-zero exit code is a
/// result, not an error.
public struct CommandExit: Codable, Sendable, Hashable {
    public var exitCode: Int32
    public var durationSeconds: Double
    /// The command hit its timeout and was killed with its process group.
    public var timedOut: Bool

    public init(exitCode: Int32, durationSeconds: Double, timedOut: Bool) {
        self.exitCode = exitCode
        self.durationSeconds = durationSeconds
        self.timedOut = timedOut
    }
}

/// Where an engine hands a command's output as it comes. A write returns once the reader has
/// room for it (backpressure); it throws when the reader has gone, and the engine then kills
/// the command.
public struct CommandOutputSink: Sendable {
    private let write: @Sendable (CommandEvent) async throws -> Void

    init(_ write: @escaping @Sendable (CommandEvent) async throws -> Void) {
        self.write = write
    }

    public func stdout(_ data: Data) async throws {
        if !data.isEmpty { try await write(.stdout(data)) }
    }

    public func stderr(_ data: Data) async throws {
        if !data.isEmpty { try await write(.stderr(data)) }
    }
}

/// Gathers a command's whole output: the fold behind ``IsolationManager/run(_:_:timeout:)``,
/// handed to the engine directly rather than through a ``CommandEvents`` channel, so the
/// whole-output call costs no more than it did before streaming existed.
final class CommandOutputGatherer: Sendable {
    /// Output beyond this many bytes per stream is an error rather than a memory blow-up.
    static let limit = 512 << 20

    private let gathered = Mutex<(stdout: Data, stderr: Data)>((Data(), Data()))

    var sink: CommandOutputSink {
        CommandOutputSink { [self] event in try append(event) }
    }

    private func append(_ event: CommandEvent) throws {
        let size = gathered.withLock { gathered -> Int in
            switch event {
            case .stdout(let data):
                gathered.stdout.append(data)
                return gathered.stdout.count
            case .stderr(let data):
                gathered.stderr.append(data)
                return gathered.stderr.count
            case .exit:
                return 0
            }
        }
        if size > Self.limit {
            throw IsolationError(.ioFailure, "a command wrote more than \(Self.limit >> 20) MiB to one stream")
        }
    }

    func result(_ exit: CommandExit) -> CommandResult {
        let (stdout, stderr) = gathered.withLock { $0 }
        return CommandResult(
            exitCode: exit.exitCode, stdout: stdout, stderr: stderr, durationSeconds: exit.durationSeconds, timedOut: exit.timedOut)
    }
}
