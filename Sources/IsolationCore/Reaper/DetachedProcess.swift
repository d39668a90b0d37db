import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Starts a program in a session of its own, with stdin from /dev/null and
/// stdout and stderr appended to a log file, and does not wait for it.
enum DetachedProcess {
    /// glibc's `POSIX_SPAWN_SETSID` (a macro Swift does not import).
    private static let setSessionFlag: Int32 = 0x80

    /// - Returns: the child's PID (the caller reaps it).
    static func spawn(_ executable: String, _ arguments: [String], log: String) throws -> pid_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Signals ignored or blocked by the client (Python ignores SIGPIPE) must not carry over.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(
            &attributes, Int16(setSessionFlag | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The child keeps nothing else of ours (an xdist worker's pipes held open would keep its
        // controller waiting). Closed here, in the spawn, never by the child itself: by the time
        // a Swift program's code runs, dispatch has opened descriptors of its own (its epoll and
        // event fds), and closing those made the reaper hang or trap in dispatch's event loop.
        closeAbove(2, &actions)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard status == 0 else {
            throw IsolationError(.ioFailure, "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return pid
    }

    /// Waits for a child that is expected to exit at once; returns its exit status.
    static func wait(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS, which Swift does not import.
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, CInt) -> CInt

    /// Adds the closing of every descriptor above `last` to `actions`: glibc's
    /// `posix_spawn_file_actions_addclosefrom_np` (2.34+, hidden behind `_GNU_SOURCE`, which
    /// Swift's Glibc module does not define, hence looked up), else one close per open descriptor
    /// (closing one that is gone by the spawn is no error for glibc).
    private static func closeAbove(_ last: CInt, _ actions: inout posix_spawn_file_actions_t) {
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            let closeFrom = unsafeBitCast(symbol, to: CloseFrom.self)
            if closeFrom(&actions, last + 1) == 0 { return }
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in names.compactMap({ CInt($0) }) where fd > last {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
    }
}
