import Foundation

/// Another process (python3) holding a lock until it is released, or for at most a minute: a
/// database's write lock, or file locks (`flock`) such as the one opening a database takes.
final class HeldByAnotherProcess {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()

    private init(script: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    /// A write transaction on the SQLite database at `database`.
    static func writeLock(on database: URL) throws -> HeldByAnotherProcess {
        try HeldByAnotherProcess(
            script: """
                import select, sqlite3, sys
                connection = sqlite3.connect(sys.argv[1], isolation_level=None)
                connection.execute("BEGIN IMMEDIATE")
                print("held", flush=True)
                select.select([sys.stdin], [], [], 60)
                connection.execute("COMMIT")
                """, arguments: [database.path])
    }

    /// An exclusive `flock` on each of `files` (created when missing).
    static func fileLocks(on files: [URL]) throws -> HeldByAnotherProcess {
        try HeldByAnotherProcess(
            script: """
                import fcntl, select, sys
                files = [open(path, "a") for path in sys.argv[1:]]
                for file in files:
                    fcntl.flock(file, fcntl.LOCK_EX)
                print("held", flush=True)
                select.select([sys.stdin], [], [], 60)
                """, arguments: files.map(\.path))
    }

    /// True once the process said it holds the lock; false when it ended first.
    func waitUntilHeld() -> Bool {
        String(decoding: output.fileHandleForReading.availableData, as: UTF8.self).hasPrefix("held")
    }

    /// Whether the process still runs, so still holds the lock.
    var isHolding: Bool { process.isRunning }

    /// Lets the process go (it commits, or its locks go with it) and waits for its exit.
    func release() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
