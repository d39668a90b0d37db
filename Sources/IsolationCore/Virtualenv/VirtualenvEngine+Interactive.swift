public import Foundation
import NIOCore
import NIOFoundationCompat
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

extension VirtualenvEngine: InteractiveEngine {
    public func interactive(
        _ environment: Environment, _ command: Command, size: TerminalSize,
        attached: @escaping @Sendable (any InteractiveTerminal) -> Void,
        output: @escaping @Sendable (Data) async throws -> Void
    ) async throws -> Int32 {
        let prepared = try prepare(environment, command)
        guard let executable = prepared.executable else {
            attached(ClosedTerminal())
            try await output(Data("\(prepared.program): command not found\r\n".utf8))
            return 127
        }
        var variables = prepared.variables
        if variables["TERM"] == nil { variables["TERM"] = "xterm" }
        let (pid, master) = try PseudoTerminal.spawn(
            executable: executable, arguments: prepared.arguments, environment: variables, workingDirectory: prepared.cwd, size: size)
        let exit = PseudoTerminal.exitCode(of: pid)
        do {
            // NIO reads the master without blocking a thread; it owns (and closes) the descriptor.
            let channel = try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .takingOwnershipOfDescriptor(inputOutput: master) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            try await channel.executeThenClose { inbound, outbound in
                attached(PseudoTerminalInput(outbound: outbound, master: master))
                do {
                    for try await buffer in inbound { try await output(Data(buffer: buffer)) }
                } catch let error as IOError where error.errnoCode == EIO {
                    // Linux's end of a terminal: every holder of the slave side has closed it.
                }
                // NIO ends the inbound stream, rather than throwing, when the task is cancelled.
                try Task.checkCancellation()
            }
        } catch {
            // The session ends with the call: a reader that went away must not leave the command running.
            PseudoTerminal.killSession(pid)
            _ = try? await exit.value()
            if error is CancellationError || Task.isCancelled {
                throw IsolationError(.cancelled, "\(executable) was cancelled (and killed with its terminal's processes)")
            }
            throw error
        }
        return try await exit.value()
    }

    /// `$SHELL` where it is executable, else `bash`, else `sh`; the venv is activated by the
    /// variables every command gets (`VIRTUAL_ENV`, its `bin` first on `PATH`).
    public func shellCommand(_ environment: Environment) -> [String] {
        let candidates = [hostEnvironment["SHELL"], "/bin/bash", "/usr/bin/bash", "/bin/sh"].compactMap { $0 }
        return [candidates.first { !$0.isEmpty && FileManager.default.isExecutableFile(atPath: $0) } ?? "sh"]
    }
}

/// A pseudo-terminal's master side, for input and resizes while the session runs.
struct PseudoTerminalInput: InteractiveTerminal {
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    /// The master descriptor, for `TIOCSWINSZ`: NIO owns it and closes it only when the
    /// session's call returns, after which this is not used.
    let master: CInt

    func write(_ data: Data) async throws {
        do {
            try await outbound.write(ByteBuffer(data: data))
        } catch {
            throw IsolationError(.ioFailure, "the session's input is closed: \(error)")
        }
    }

    func closeInput() async {
        // A terminal has no end of input but the end-of-file character (Ctrl-D) at a line's start.
        try? await outbound.write(ByteBuffer(bytes: [0x04]))
    }

    func resize(_ size: TerminalSize) async throws {
        try PseudoTerminal.setSize(master, size)
    }
}

/// The terminal of a command that never started.
struct ClosedTerminal: InteractiveTerminal {
    func write(_ data: Data) async throws {}
    func closeInput() async {}
    func resize(_ size: TerminalSize) async throws {}
}
