public import Foundation
public import NIOCore
import NIOFoundationCompat

/// A command to run with a terminal in a running container, as `docker exec -it` does.
public struct ExecTerminalOptions: Sendable {
    public var command: [String]
    public var environment: [String: String]
    public var workingDirectory: String?
    public var user: String?
    /// The terminal's first window size.
    public var rows: Int
    public var columns: Int

    public init(
        _ command: [String], environment: [String: String] = [:], workingDirectory: String? = nil, user: String? = nil,
        rows: Int = 24, columns: Int = 80
    ) {
        self.command = command
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.user = user
        self.rows = rows
        self.columns = columns
    }
}

/// The input side and the window of an exec with a terminal
/// (``DockerClient/execWithTerminal(_:_:attached:output:)``).
public struct ExecTerminal: Sendable {
    let client: DockerClient
    public let execID: String
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    /// Sends bytes to the terminal, as typed: `\u{3}` is Ctrl-C, delivered as SIGINT by the
    /// terminal inside.
    public func write(_ data: Data) async throws {
        try await outbound.write(ByteBuffer(data: data))
    }

    /// Half-closes the connection: the daemon closes the command's input side.
    public func closeInput() {
        outbound.finish()
    }

    /// Sets the terminal's window size; the command gets SIGWINCH.
    ///
    /// - Throws: the daemon's error (`notFound` once the exec is gone).
    public func resize(rows: Int, columns: Int) async throws {
        try await client.resizeExec(execID, rows: rows, columns: columns)
    }
}

extension DockerClient {
    /// Runs a command with a terminal (`Tty: true`, stdin attached) in a running container and
    /// hands its output to `output` as it comes, raw: a terminal merges stdout and stderr, so
    /// the stream is not multiplexed. `attached` gets the terminal (for input and resizes) once
    /// the daemon has hijacked the connection (`POST /exec/{id}/start` upgraded to a raw
    /// stream) and the command runs; keep it only for the call.
    ///
    /// The command runs under `sh` to learn its PID and set the window size before it starts
    /// (`stty`, where the image has it; the size is also set through the API once the command
    /// runs). When the calling task is cancelled, or `output` throws, the command's
    /// process group is killed before this returns, as ``execStreaming(_:_:output:)`` does; the
    /// jobs of a shell with job control are groups of their own, and go with the terminal's
    /// hangup when the shell (its session's leader) dies.
    ///
    /// - Returns: the command's exit code, once its output has ended.
    /// - Throws: `notFound` for an unknown container, `conflict` when it is not running, what
    ///   `output` throws, `CancellationError`. A non-zero exit code is a result.
    public func execWithTerminal(
        _ containerID: String, _ options: ExecTerminalOptions,
        attached: (ExecTerminal) -> Void,
        output: @escaping @Sendable (Data) async throws -> Void
    ) async throws -> Int {
        guard !options.command.isEmpty else {
            throw DockerError(.badParameter, "exec: command is empty; pass the program and its arguments")
        }
        let prologue = #"stty rows "$1" cols "$2" 2>/dev/null; shift 2; "# + Self.pidPrologue
        let argv = ["sh", "-c", prologue, "ptest-iso-exec", String(options.rows), String(options.columns)] + options.command
        let body = ExecCreateBody(
            attachStdin: true,
            tty: true,
            env: options.environment.isEmpty ? nil : options.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
            cmd: argv,
            workingDir: options.workingDirectory,
            user: options.user
        )
        let created: IDResponse = try await json(.POST, "/containers/\(Self.pathComponent(containerID))/exec", body: body)
        let filter = ExecPIDFilter(expectsPIDLine: true)
        let path = "/v\(apiVersion)/exec/\(Self.pathComponent(created.id))/start"
        do {
            try await HijackedConnection.open(client: self, path: path, body: try DockerJSON.encode(ExecStartBody(tty: true))) {
                rest, inbound, outbound in
                // Input waits for the PID line: a terminal echoes what it is sent at once, and an echo
                // ahead of the line would hide the PID (and leave the command unkillable).
                let terminal = ExecTerminal(client: self, execID: created.id, outbound: outbound)
                var isAttached = false
                var next: ByteBuffer? = rest
                while let buffer = next {
                    for chunk in filter.pass(OutputChunk(stream: .stdout, data: Data(buffer: buffer))) { try await output(chunk.data) }
                    if !isAttached, !filter.isAwaitingPID {
                        isAttached = true
                        // The command runs now, so the daemon can resize its terminal.
                        try? await terminal.resize(rows: options.rows, columns: options.columns)
                        attached(terminal)
                    }
                    next = try await inbound.next()
                }
                if !isAttached { attached(terminal) }
                // NIO ends the inbound stream, rather than throwing, when the task is cancelled.
                try Task.checkCancellation()
                for held in filter.finish() { try await output(held.data) }
            }
        } catch {
            // As in `runExec`: the kill runs in a task of its own because this one's requests are cancelled too.
            if let pid = filter.pid {
                await Task { try? await self.killExecProcessGroup(containerID: containerID, pid: pid) }.value
            }
            throw error
        }
        return try await execExitCode(created.id)
    }

    /// `POST /exec/{id}/resize`: the terminal's new window size.
    func resizeExec(_ execID: String, rows: Int, columns: Int) async throws {
        try await send(.POST, "/exec/\(Self.pathComponent(execID))/resize", query: ["h": String(rows), "w": String(columns)])
    }
}
