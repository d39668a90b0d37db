import BenchSupport
import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a program to completion with `posix_spawn`, stdout and stderr
/// captured through pipes, stdin from `/dev/null`.
///
/// `posix_spawn` rather than Foundation's `Process`: the floor should
/// carry as little of this harness's own overhead as possible. The
/// blocking spawn/read/wait runs on a dedicated queue, off Swift's
/// cooperative pool (two threads on this machine).
struct ChildProcess: Sendable {
    struct Output: Sendable {
        /// The exit status, or 128 + the signal that ended it.
        var status: Int32
        var stdout: Data
        var stderr: Data

        var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
        var stderrText: String { String(decoding: stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    private static let queue = DispatchQueue(label: "docker-bench.spawn")

    /// The absolute path of the program.
    let executable: String
    /// `NAME=value` pairs, built once: the C global `environ` is not concurrency-safe.
    let environment: [String]

    /// Finds `name` on `PATH` unless it is already a path.
    init(_ name: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        self.environment = environment.map { "\($0.key)=\($0.value)" }
        if name.contains("/") {
            guard access(name, X_OK) == 0 else { throw BenchFailure("\(name) is not an executable file") }
            self.executable = name
            return
        }
        for directory in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 {
                self.executable = candidate
                return
            }
        }
        throw BenchFailure("\(name) was not found on PATH")
    }

    /// Runs the program with `arguments` and waits for it. A non-zero exit is a result, not an error.
    ///
    /// - Throws: ``BenchFailure`` when the program cannot be started.
    func run(_ arguments: [String]) async throws -> Output {
        let executable = executable
        let environment = environment
        return try await withCheckedThrowingContinuation { continuation in
            Self.queue.async {
                continuation.resume(with: Result { try Self.spawnAndWait(executable, arguments, environment) })
            }
        }
    }

    /// Runs the program and fails unless it exits 0.
    @discardableResult
    func check(_ arguments: [String]) async throws -> Output {
        let output = try await run(arguments)
        guard output.status == 0 else {
            let shown = ([executable] + arguments).joined(separator: " ")
            throw BenchFailure("`\(shown)` exited \(output.status): \(output.stderrText.isEmpty ? output.stdoutText : output.stderrText)")
        }
        return output
    }

    private static func spawnAndWait(_ executable: String, _ arguments: [String], _ environment: [String]) throws -> Output {
        var stdoutPipe: [Int32] = [-1, -1]
        var stderrPipe: [Int32] = [-1, -1]
        guard pipe(&stdoutPipe) == 0 else { throw BenchFailure("pipe: \(errnoText())") }
        guard pipe(&stderrPipe) == 0 else {
            close(stdoutPipe[0]); close(stdoutPipe[1])
            throw BenchFailure("pipe: \(errnoText())")
        }
        // Close-on-exec: no other child may inherit these ends (it would hold a pipe open).
        // (`pipe2` is not exported by Glibc's Swift module; spawns are serial on `queue`, so no race.)
        for fd in stdoutPipe + stderrPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var readEnds = [stdoutPipe[0], stderrPipe[0]]
        defer { for fd in readEnds where fd >= 0 { close(fd) } }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // dup2 clears close-on-exec on the target, so only 1 and 2 reach the child.
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)

        // The bench ignores SIGINT/SIGTERM itself (it cleans up first); children must not inherit that.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(stdoutPipe[1])
        close(stderrPipe[1])
        guard spawned == 0 else {
            throw BenchFailure("cannot start \(executable): \(String(cString: strerror(spawned)))")
        }

        let (stdout, stderr) = drain(&readEnds)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw BenchFailure("waitpid \(pid): \(errnoText())") }
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return Output(status: code, stdout: stdout, stderr: stderr)
    }

    /// Reads both pipes until both reach end of file, closing each as it does.
    private static func drain(_ fds: inout [Int32]) -> (Data, Data) {
        var collected = [Data(), Data()]
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while fds.contains(where: { $0 >= 0 }) {
            var polled = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&polled, nfds_t(polled.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            for index in polled.indices where polled[index].fd >= 0 && polled[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(fds[index], $0.baseAddress, $0.count) }
                if count > 0 {
                    collected[index].append(contentsOf: buffer[..<count])
                } else if count == 0 || errno != EINTR {
                    close(fds[index])
                    fds[index] = -1
                }
            }
        }
        return (collected[0], collected[1])
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }
}
