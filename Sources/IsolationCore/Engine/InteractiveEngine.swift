public import Foundation

/// An engine that runs a command with a terminal: stdin forwarded, the window resizable, the
/// output raw (a terminal merges stdout and stderr).
public protocol InteractiveEngine: IsolationEngine {
    /// Runs `command` with a terminal of `size`. `attached` gets the terminal's input side once
    /// the command runs; `output` gets what the terminal prints as it comes,
    /// until the command (and whatever holds the terminal) has ended.
    ///
    /// The command's environment and working directory are those of ``run(_:_:output:)``;
    /// ``Command/stdin`` and ``Command/timeoutSeconds`` do not apply. When the calling task is
    /// cancelled or `output` throws, the command is killed with its process group before this
    /// returns.
    ///
    /// - Returns: the exit code (128 + the signal for a command killed by one).
    /// - Throws: `invalidSpec` for a working directory that is not one, `cancelled`, what
    ///   `output` throws. A non-zero exit code is a result.
    func interactive(
        _ environment: Environment, _ command: Command, size: TerminalSize,
        attached: @escaping @Sendable (any InteractiveTerminal) -> Void,
        output: @escaping @Sendable (Data) async throws -> Void
    ) async throws -> Int32

    /// The environment's shell, as argv: what `ptest-iso shell` runs.
    func shellCommand(_ environment: Environment) -> [String]
}

/// The input side of a running command's terminal; valid while the engine's
/// ``InteractiveEngine/interactive(_:_:size:attached:output:)`` call runs.
public protocol InteractiveTerminal: Sendable {
    /// Bytes as typed: `\u{3}` is Ctrl-C, which the terminal turns into SIGINT for the command.
    func write(_ data: Data) async throws
    /// No more input (the command may still run).
    func closeInput() async
    /// A new window size; the command gets SIGWINCH.
    func resize(_ size: TerminalSize) async throws
}
