public import Foundation
public import Logging

/// The process that removes a session's leftovers once the last process
/// using it has gone (DESIGN.md, "Cleanup guarantees").
///
/// One per session, shared by every client of it (pytest-xdist workers): it
/// holds `<key>.lock` for its lifetime and serves `<key>.sock`. While it
/// waits it also removes expired environments, and sessions whose reaper
/// and processes all died (a reaper killed with its client).
public struct SessionReaper: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Another reaper serves the session.
        case alreadyRunning
        /// The session ended and its leftovers were removed.
        case reaped(CleanupReport)
    }

    public var home: URL
    public var session: String
    /// How long the session must have no client before it is removed.
    public var grace: Duration
    /// How long to wait for the first client (the one that started the reaper).
    public var firstClientWait: Duration = .seconds(30)
    /// How often expired environments and orphaned sessions are looked for.
    public var sweepInterval: Duration = .seconds(60)
    /// How long the session's removal may take. Past it the process exits (status
    /// ``removalOverdueStatus``) whatever it waits for: its lock goes with it, so the session's
    /// next client starts a reaper that takes over, and other reapers sweep it as orphaned.
    /// `nil` (for a reaper run inside another program, as tests do) never exits the process.
    /// `ptest-iso reap` sets it (600 s by default).
    public var removalDeadline: Duration?
    /// The exit status of a reaper whose removal overran ``removalDeadline`` (EX_TEMPFAIL).
    public static let removalOverdueStatus: Int32 = 75
    public var logger: Logger

    /// The engine settings file of the session's manager (`reap --engines`).
    public var enginesFile: URL?
    /// What the sweeps take as now when they look for expired environments.
    public var clock: WallClock = .system

    public init(home: URL, session: String, grace: Duration = .seconds(2), logger: Logger) {
        self.home = home
        self.session = session
        self.grace = grace
        self.logger = logger
    }

    /// Starts the reaper process in a session of its own, appending its output to `log`.
    public static func startDetached(executable: String, arguments: [String], log: String) throws {
        // A `reap --detach` run by hand may be the first to use the session's directory.
        try FileManager.default.createDirectory(
            at: URL(fileURLWithPath: log).deletingLastPathComponent(), withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700])
        _ = try DetachedProcess.spawn(executable, arguments, log: log)
    }

    /// For the reaper process itself: survives a lost terminal. It inherited no descriptor of its
    /// client: ``startDetached(executable:arguments:log:)`` closes them in the spawn, as the
    /// process itself must not (its runtime's own descriptors are among them by then).
    public static func detachFromStarter() {
        signal(SIGPIPE, SIG_IGN)
        signal(SIGHUP, SIG_IGN)
    }

    public func run() async throws -> Outcome {
        let paths = ReaperPaths(home: home, session: session)
        try paths.prepare()
        if let live = UnixSocket.connect(to: paths.socket) {
            close(live)
            return .alreadyRunning
        }
        // A reaper that is closing down still holds the lock while it removes the session: wait for it.
        guard let lock = try await lockFile(paths) else { return .alreadyRunning }
        defer { lock.release() }
        lock.write(session)
        // The database first: a reaper that cannot reach it must not greet clients and then die,
        // leaving them believing the session is watched.
        var configuration = IsolationManager.Configuration(home: home, session: session)
        if let enginesFile { configuration.engineSettingsFile = enginesFile }
        configuration.reaperExecutable = nil
        configuration.clock = clock
        let manager = try await IsolationManager.open(configuration: configuration)
        unlink(paths.socket)
        let logger = self.logger
        let listener = try ReaperListener(socketPath: paths.socket, grace: grace, firstClientWait: firstClientWait) {
            logger.info("\($0)")
        }
        listener.start()
        logger.info("reaping session \(session) under \(home.path) (pid \(getpid()))")
        // The sweeps are a child task, ended and awaited before the session's removal: nothing of
        // this reaper outlives `run()` to race the process's exit.
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    await sweep(manager)
                    try? await Task.sleep(for: sweepInterval)
                }
            }
            for await _ in listener.idle {}
            group.cancelAll()
        }
        logger.info("no client for \(grace): removing what session \(session) left")
        let watchdog = removalDeadline.map(startWatchdog)
        // The removal is over (done or failed): the watchdog lets go, its thread ends.
        defer { watchdog?.signal() }
        let report: CleanupReport
        do {
            report = try await manager.cleanup(.endedSession(session))
        } catch {
            // What was removed before the failure is in the log before the process exits.
            await manager.store.settleEvents()
            throw error
        }
        try? await manager.store.forgetEndedSessionProcesses(session)
        // The removals' events, in the log before the reaper's process exits.
        await manager.store.settleEvents()
        log(report)
        // Deleted while held, so a reaper that opened the old file notices and retries (FileLock.isStillNamed).
        try? FileManager.default.removeItem(at: paths.lock)
        // The log is kept when something could not be removed, and when a reaper started after
        // this one writes to it too.
        if report.skipped.isEmpty, Self.logIsOnlyOurs(paths.log) { try? FileManager.default.removeItem(at: paths.log) }
        return .reaped(report)
    }

    /// Ends the process once `deadline` has passed unless the returned semaphore is signalled
    /// first: a removal stuck where cancellation cannot reach (a wait that ignores it) must not
    /// hold the session's lock forever. A thread of its own, which may block, rather than a task
    /// that needs a free concurrency thread.
    private func startWatchdog(_ deadline: Duration) -> DispatchSemaphore {
        let (logger, session) = (logger, session)
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            let (seconds, attoseconds) = deadline.components
            // Dispatch clamps a time past its range rather than trapping.
            guard finished.wait(timeout: .now() + (Double(seconds) + Double(attoseconds) / 1e18)) == .timedOut else { return }
            logger.error("removing session \(session) took over \(deadline); exiting so another reaper takes over")
            _exit(Self.removalOverdueStatus)
        }
        thread.name = "ptest-iso-reaper-watchdog"
        thread.start()
        return finished
    }

    /// The session's lock, or `nil` once another reaper serves the session (a waiter started while
    /// the previous reaper closed down, when a later one won the lock).
    private func lockFile(_ paths: ReaperPaths) async throws -> FileLock? {
        let deadline = ContinuousClock.now + .seconds(600)
        while ContinuousClock.now < deadline {
            if let lock = FileLock.tryAcquire(paths.lock) {
                if lock.isStillNamed(paths.lock) { return lock }
                lock.release()
                continue
            }
            if let live = UnixSocket.connect(to: paths.socket) {
                close(live)
                return nil
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw IsolationError(.timeout, "waited 600 s for the reaper lock \(paths.lock.path); another reaper holds it")
    }

    /// Whether this process's stderr is `log` and nobody else has appended to it.
    static func logIsOnlyOurs(_ log: URL) -> Bool {
        var ours = stat()
        var named = stat()
        guard fstat(2, &ours) == 0, stat(log.path, &named) == 0, ours.st_ino == named.st_ino, ours.st_dev == named.st_dev else {
            return false
        }
        return lseek(2, 0, SEEK_CUR) == named.st_size
    }

    /// Expired environments of any session, and sessions whose reaper and processes are all gone.
    private func sweep(_ manager: IsolationManager) async {
        do {
            let expired = try await manager.cleanup(.expired)
            if !expired.isEmpty { log(expired, "expired: ") }
        } catch {
            logger.warning("expired sweep failed: \(error)")
        }
        for other in ReaperPaths.sessions(home: home) where other.session != session {
            guard let lock = FileLock.tryAcquire(other.lock) else { continue }
            defer { lock.release() }
            guard lock.isStillNamed(other.lock),
                let processes = try? await manager.store.sessionProcesses(other.session),
                !processes.contains(where: \.isAlive)
            else { continue }
            do {
                let report = try await manager.cleanup(.endedSession(other.session))
                log(report, "orphaned session \(other.session): ")
                try await manager.store.forgetEndedSessionProcesses(other.session)
                try? FileManager.default.removeItem(at: other.lock)
                try? FileManager.default.removeItem(at: other.log)
            } catch {
                logger.warning("orphaned session \(other.session): \(error)")
            }
        }
    }

    private func log(_ report: CleanupReport, _ prefix: String = "") {
        logger.info(
            """
            \(prefix)removed \(report.environments.count) environments, \(report.containers.count) containers, \
            \(report.networks.count) networks, \(report.volumes.count) volumes, \(report.images.count) images, \
            \(report.directories.count) directories, \(report.snapshots.count) snapshots\(report.skipped.isEmpty ? "" : "; skipped \(report.skipped)")
            """)
    }
}
