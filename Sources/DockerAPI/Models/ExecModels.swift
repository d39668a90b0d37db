public import Foundation

/// A command to run in a running container.
public struct ExecOptions: Sendable {
    public var command: [String]
    public var environment: [String: String]
    public var workingDirectory: String?
    public var user: String?
    public var privileged: Bool
    /// Bytes written to the command's stdin, which is then closed.
    public var stdin: Data?
    /// When set, the command (and its process group) is killed at the deadline.
    public var timeout: Duration?

    public init(
        _ command: [String],
        environment: [String: String] = [:],
        workingDirectory: String? = nil,
        user: String? = nil,
        privileged: Bool = false,
        stdin: Data? = nil,
        timeout: Duration? = nil
    ) {
        self.command = command
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.user = user
        self.privileged = privileged
        self.stdin = stdin
        self.timeout = timeout
    }
}

/// What a finished command left behind. A non-zero exit code is a result, not an error.
public struct ExecResult: Sendable {
    public var exitCode: Int
    public var stdout: Data
    public var stderr: Data
    public var duration: Duration
    /// The command hit its timeout and was killed.
    public var timedOut: Bool

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// How a streamed command ended (``DockerClient/execStreaming(_:_:output:)``); its output went to the caller as it came.
public struct ExecExit: Sendable, Hashable {
    public var exitCode: Int
    public var duration: Duration
    /// The command hit its timeout and was killed.
    public var timedOut: Bool

    public init(exitCode: Int, duration: Duration, timedOut: Bool) {
        self.exitCode = exitCode
        self.duration = duration
        self.timedOut = timedOut
    }
}

struct ExecCreateBody: Encodable {
    var attachStdin: Bool
    var attachStdout = true
    var attachStderr = true
    var tty = false
    var env: [String]?
    var cmd: [String]
    var workingDir: String?
    var user: String?
    var privileged: Bool?
}

struct ExecStartBody: Encodable {
    var detach = false
    var tty = false
}

struct ExecInspect: Decodable {
    var id: String
    var running: Bool
    var exitCode: Int?
    var pid: Int?
}

struct IDResponse: Decodable {
    var id: String
}
