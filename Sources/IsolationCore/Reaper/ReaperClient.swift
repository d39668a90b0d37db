import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A manager's link to its session's reaper: one connection held for the
/// manager's lifetime. The reaper counts connections, so a client that dies,
/// however it dies, is noticed by the kernel closing its end — no PID is polled.
actor ReaperClient {
    let paths: ReaperPaths
    let executable: URL
    let graceSeconds: Double
    private var connection: CInt?
    /// The attach under way: concurrent creates wait for it instead of starting reapers of their own.
    private var attaching: Task<CInt, any Error>?

    /// The engine settings file the session's manager read, so the reaper sweeps the same engines.
    let enginesFile: URL?

    init(paths: ReaperPaths, executable: URL, graceSeconds: Double, enginesFile: URL? = nil) {
        self.enginesFile = enginesFile
        self.paths = paths
        self.executable = executable
        self.graceSeconds = graceSeconds
    }

    deinit {
        if let connection { close(connection) }
    }

    /// Connects to the session's reaper, starting it when none answers; a
    /// reaper that died since the last call is replaced.
    ///
    /// - Throws: ``IsolationError/Code/ioFailure`` naming the reaper's log when it cannot be started.
    func attach(store: StateStore, timeout: Duration = .seconds(120)) async throws {
        if let connection, !UnixSocket.isClosed(connection) { return }
        let attempt: Task<CInt, any Error>
        if let attaching {
            attempt = attaching
        } else {
            attempt = Task { try await self.connect(store: store, timeout: timeout) }
            attaching = attempt
        }
        defer { attaching = nil }
        let fd = try await attempt.value
        if connection != fd {
            if let connection { close(connection) }
            connection = fd
        }
    }

    private func connect(store: StateStore, timeout: Duration) async throws -> CInt {
        if let identity = ProcessIdentity.current() {
            try await store.recordSessionProcess(paths.session, identity)
        }
        try paths.prepare()
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var nextStart = clock.now
        while clock.now < deadline {
            let socket = paths.socket
            if let fd = await Self.offPool({ Self.connectAndGreet(socket) }) { return fd }
            if clock.now >= nextStart {
                try await startReaper()
                // A reaper that is still removing the session's last run holds the lock; the one
                // just started waits for it. Starting more would only add waiters.
                nextStart = clock.now + .seconds(5)
            }
            // A reaper just started listens ≈ 40 ms after its starter exits: polled finely, the
            // first create does not wait a coarse interval past that (a failed connect to a
            // Unix socket costs microseconds). Spread, so a session's xdist workers do not move
            // in step.
            try await Task.sleep(for: .milliseconds(Int.random(in: 3...8)))
        }
        throw IsolationError(
            .ioFailure, "the session reaper did not answer at \(paths.socket) within \(timeout); see its log \(paths.log.path)")
    }

    /// A connection on which the reaper has said hello: one it accepted and counts.
    private static func connectAndGreet(_ socket: String) -> CInt? {
        guard let fd = UnixSocket.connect(to: socket) else { return nil }
        // A reaper closing down resets connections it never accepted: those get no greeting.
        guard case .some(.some) = UnixSocket.readByte(fd, milliseconds: 2_000) else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Runs blocking work (a wait for the greeting, for the starter process) on a thread of its
    /// own: a Swift concurrency thread must not block.
    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }

    private func startReaper() async throws {
        let arguments =
            [
                "reap", "--home", paths.directory.deletingLastPathComponent().path, "--session", paths.session,
                "--grace", String(graceSeconds), "--detach",
            ] + (enginesFile.map { ["--engines", $0.path] } ?? [])
        let pid = try DetachedProcess.spawn(executable.path, arguments, log: paths.log.path)
        // `--detach` starts the reaper itself and exits at once, so no zombie is left behind.
        let status = await Self.offPool { DetachedProcess.wait(pid) }
        guard status == 0 else {
            throw IsolationError(
                .ioFailure, "\(executable.path) reap exited with status \(status); see its log \(paths.log.path)")
        }
    }
}
