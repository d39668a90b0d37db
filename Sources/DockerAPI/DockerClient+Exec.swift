import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import Synchronization

extension DockerClient {
    /// The shell prologue that makes a timeout enforceable: it prints its
    /// PID (which `exec` hands to the command) as the first stdout line.
    /// runc makes every exec'd process a session and group leader, so
    /// killing `-PID` also takes the command's children.
    static let pidPrologue = #"echo "$$"; exec "$@""#

    /// Runs a command in a running container and waits for it.
    ///
    /// stdout and stderr come back apart. With a timeout, the command
    /// runs under `sh` (to learn its PID) and its process group is killed
    /// at the deadline; in an image without `sh` the command runs
    /// directly and is abandoned, not killed, at the deadline.
    ///
    /// - Throws: `notFound` for an unknown container, `conflict` when it is not running.
    ///   A non-zero exit code or a timeout is reported in the ``ExecResult``, not thrown.
    public func exec(_ containerID: String, _ options: ExecOptions) async throws -> ExecResult {
        guard !options.command.isEmpty else {
            throw DockerError(.badParameter, "exec: command is empty; pass the program and its arguments")
        }
        if options.timeout != nil {
            let wrapped = ["sh", "-c", Self.pidPrologue, "ptest-iso-exec"] + options.command
            let result = try await runExec(containerID, options, argv: wrapped, reportsPID: true)
            // 126/127 with no PID line: the image has no usable `sh`; run the command as is.
            if let result { return result }
        }
        return try await runExec(containerID, options, argv: options.command, reportsPID: false)!
    }

    /// Returns `nil` when `reportsPID` was asked for but the prologue never ran.
    private func runExec(_ containerID: String, _ options: ExecOptions, argv: [String], reportsPID: Bool) async throws -> ExecResult? {
        let started = ContinuousClock.now
        let body = ExecCreateBody(
            attachStdin: options.stdin != nil,
            env: options.environment.isEmpty ? nil : options.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
            cmd: argv,
            workingDir: options.workingDirectory,
            user: options.user,
            privileged: options.privileged ? true : nil
        )
        let created: IDResponse = try await json(.POST, "/containers/\(Self.pathComponent(containerID))/exec", body: body)
        let collector = ExecOutputCollector(expectsPIDLine: reportsPID)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await self.streamExecOutput(execID: created.id, stdin: options.stdin, into: collector)
            }
            if let timeout = options.timeout {
                group.addTask {
                    try await Task.sleep(for: timeout)
                    collector.markTimedOut()
                    // On a loaded machine the command may not have printed its PID yet: wait for it, bounded.
                    let giveUp = ContinuousClock.now + .seconds(30)
                    while collector.pid == nil, ContinuousClock.now < giveUp {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    if let pid = collector.pid {
                        try? await self.killExecProcessGroup(containerID: containerID, pid: pid)
                    }
                    // The output stream ends once the process is gone; give it a bounded grace.
                    try await Task.sleep(for: .seconds(30))
                    throw DockerError(.timeout, "exec \(argv.joined(separator: " ")) did not end within \(timeout) and could not be killed")
                }
            }
            try await group.next()
            group.cancelAll()
        }
        let exitCode = try await execExitCode(created.id)
        let output = collector.output
        if reportsPID && !output.sawPID && (exitCode == 126 || exitCode == 127) {
            return nil
        }
        return ExecResult(
            exitCode: exitCode,
            stdout: output.stdout,
            stderr: output.stderr,
            duration: ContinuousClock.now - started,
            timedOut: output.timedOut
        )
    }

    private func streamExecOutput(execID: String, stdin: Data?, into collector: ExecOutputCollector) async throws {
        let path = "/exec/\(Self.pathComponent(execID))/start"
        if let stdin {
            try await HijackedConnection.run(
                client: self, path: "/v\(apiVersion)\(path)", body: try DockerJSON.encode(ExecStartBody()), stdin: stdin
            ) { chunk in collector.append(chunk) }
            return
        }
        let response = try await perform(
            .POST, path, headers: ["Content-Type": "application/json"],
            body: .bytes(ByteBuffer(data: try DockerJSON.encode(ExecStartBody())))
        )
        for try await chunk in DockerStream<OutputChunk>.frames(response, client: self, operation: "POST \(path)") {
            collector.append(chunk)
        }
    }

    private func killExecProcessGroup(containerID: String, pid: Int) async throws {
        let kill = ExecCreateBody(
            attachStdin: false, cmd: ["sh", "-c", "kill -KILL -- -\(pid) 2>/dev/null || kill -KILL \(pid)"], user: "0")
        let created: IDResponse = try await json(.POST, "/containers/\(Self.pathComponent(containerID))/exec", body: kill)
        let path = "/exec/\(Self.pathComponent(created.id))/start"
        _ = try await data(
            .POST, path, headers: ["Content-Type": "application/json"],
            body: .bytes(ByteBuffer(data: try DockerJSON.encode(ExecStartBody()))), timeout: .seconds(10)
        )
    }

    /// The exit code, once the daemon has recorded it (shortly after the output ends).
    private func execExitCode(_ execID: String) async throws -> Int {
        for _ in 0..<100 {
            let inspect: ExecInspect = try await json(.GET, "/exec/\(Self.pathComponent(execID))/json")
            if !inspect.running, let code = inspect.exitCode { return code }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw DockerError(.timeout, "exec \(execID): output ended but the daemon reported no exit code within 2 s")
    }
}

/// Gathers an exec's output from whichever task reads the stream, and
/// hands the PID line to the task that enforces the timeout.
final class ExecOutputCollector: Sendable {
    struct Output {
        var stdout = Data()
        var stderr = Data()
        var sawPID = false
        var pid: Int?
        var pidLine = Data()
        var awaitingPID: Bool
        var timedOut = false
    }

    private let state: Mutex<Output>

    init(expectsPIDLine: Bool) {
        self.state = Mutex(Output(awaitingPID: expectsPIDLine))
    }

    /// Everything gathered; a PID line that never completed counts as output.
    var output: Output {
        state.withLock { output in
            var result = output
            result.stdout = output.pidLine + output.stdout
            return result
        }
    }

    var pid: Int? { state.withLock { $0.pid } }

    func markTimedOut() {
        state.withLock { $0.timedOut = true }
    }

    func append(_ chunk: OutputChunk) {
        state.withLock { output in
            switch chunk.stream {
            case .stderr:
                output.stderr.append(chunk.data)
            case .stdout, .stdin:
                guard output.awaitingPID else {
                    output.stdout.append(chunk.data)
                    return
                }
                output.pidLine.append(chunk.data)
                guard let newline = output.pidLine.firstIndex(of: UInt8(ascii: "\n")) else { return }
                output.awaitingPID = false
                let line = output.pidLine[output.pidLine.startIndex..<newline]
                output.pid = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespaces))
                output.sawPID = output.pid != nil
                if output.sawPID {
                    output.stdout.append(output.pidLine[output.pidLine.index(after: newline)...])
                } else {
                    output.stdout.append(output.pidLine)
                }
                output.pidLine = Data()
            }
        }
    }
}
