import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A process started on a new pseudo-terminal: session leader, the terminal's slave side its
/// controlling terminal and its stdin, stdout and stderr; the caller keeps the master side.
enum PseudoTerminal {
    /// glibc's `POSIX_SPAWN_SETSID` (2.26+), which Swift does not import: it is declared only
    /// under `_GNU_SOURCE`.
    private static let spawnSetSID: Int32 = 0x80

    /// `TIOCSPTLCK` and `TIOCGPTN`, `_IOW`/`_IOR` macros Swift does not import; these are their
    /// values in asm-generic's ioctl numbering (x86_64, aarch64 and most others).
    private static let lockRequest: UInt = 0x4004_5431
    private static let numberRequest: UInt = 0x8004_5430

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29+), looked up at run time because
    /// Swift does not import it (declared only under `_GNU_SOURCE`, as the flag above).
    private static let addChdir: AddChdir? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: AddChdir.self)
    }()

    private typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> CInt

    /// Starts `executable` with exactly `environment` in `workingDirectory`.
    ///
    /// `posix_spawn`, not `fork`: nothing runs in the child but the C library's spawn path, which
    /// is safe in a multi-threaded process. glibc runs `setsid` before the file actions, so
    /// opening the slave there (without `O_NOCTTY`) makes it the controlling terminal, the one
    /// that turns Ctrl-C into SIGINT for the foreground process group.
    ///
    /// - Returns: the child's PID and the master side (close-on-exec), owned by the caller.
    /// - Throws: `ioFailure` naming the call that failed.
    static func spawn(
        executable: String, arguments: [String], environment: [String: String], workingDirectory: String, size: TerminalSize
    ) throws -> (pid: pid_t, master: CInt) {
        // posix_openpt, unlockpt and ptsname by hand: Swift's Glibc module does not import them
        // (they need _XOPEN_SOURCE); on Linux they are these calls, and grantpt has nothing to do.
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard master >= 0 else { throw failure("open(/dev/ptmx)") }
        var spawned = false
        defer { if !spawned { close(master) } }
        var unlock: CInt = 0
        guard ioctl(master, lockRequest, &unlock) == 0 else { throw failure("ioctl(TIOCSPTLCK)") }
        var number: CUnsignedInt = 0
        guard ioctl(master, numberRequest, &number) == 0 else { throw failure("ioctl(TIOCGPTN)") }
        let name = "/dev/pts/\(number)"
        try setSize(master, size)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, name, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        guard let addChdir = addChdir, addChdir(&actions, workingDirectory) == 0 else {
            throw IsolationError(
                .ioFailure, "cannot start \(executable) in \(workingDirectory): this C library has no posix_spawn_file_actions_addchdir_np")
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Default dispositions and an empty mask: the CLI ignores or blocks signals the shell
        // inside must get (SIGINT from Ctrl-C, SIGWINCH).
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | spawnSetSID))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw IsolationError(.ioFailure, "cannot start \(executable) on a terminal: \(String(cString: strerror(status)))")
        }
        spawned = true
        return (pid, master)
    }

    /// Sets the window size on the master side; the kernel sends SIGWINCH to the terminal's
    /// foreground process group when it changes.
    static func setSize(_ master: CInt, _ size: TerminalSize) throws {
        var window = winsize(ws_row: UInt16(size.rows), ws_col: UInt16(size.columns), ws_xpixel: 0, ws_ypixel: 0)
        guard ioctl(master, UInt(TIOCSWINSZ), &window) == 0 else { throw failure("ioctl(TIOCSWINSZ)") }
    }

    /// Kills every process of the terminal's session, whose leader is `leader`: its process
    /// group, and the jobs a shell moved to groups of their own (job control). Killing the group
    /// alone leaves such a job running when the shell dies before handing it the terminal: the
    /// kernel's hangup reaches only the terminal's foreground group.
    static func killSession(_ leader: pid_t) {
        kill(-leader, SIGKILL)
        // A member forking meanwhile adds one more; a few passes catch those (each is killed at
        // once, so none forks for long).
        for _ in 0..<5 {
            let members = sessionMembers(leader)
            if members.isEmpty { return }
            for member in members { kill(member, SIGKILL) }
        }
    }

    /// The live (not zombie) processes whose session is `session`, from `/proc/PID/stat`.
    static func sessionMembers(_ session: pid_t) -> [pid_t] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name -> pid_t? in
            guard let pid = pid_t(name), pid != session,
                let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // After the command's closing parenthesis: state, ppid, pgrp, session, …
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 3, fields[0] != "Z", pid_t(fields[3]) == session else { return nil }
            return pid
        }
    }

    /// Waits for the child on a thread of its own (`waitpid` blocks; no thread of the
    /// cooperative pool may), and resolves with its exit code, 128 + the signal for a child a
    /// signal killed.
    static func exitCode(of pid: pid_t) -> OneShot<Int32> {
        let exit = OneShot<Int32>()
        Thread.detachNewThread {
            var status: Int32 = 0
            var waited: pid_t
            repeat { waited = waitpid(pid, &status, 0) } while waited == -1 && errno == EINTR
            guard waited == pid else {
                exit.resolve(.failure(failure("waitpid")))
                return
            }
            // WIFEXITED / WEXITSTATUS / WTERMSIG, which are macros Swift does not import.
            let signal = status & 0x7f
            exit.resolve(.success(signal == 0 ? (status >> 8) & 0xff : 128 + signal))
        }
        return exit
    }

    private static func failure(_ call: String) -> IsolationError {
        IsolationError(.ioFailure, "\(call) failed: \(String(cString: strerror(errno)))")
    }
}
