import GRDB

extension StateStore {
    /// Records that `process` uses `session` (once; later calls change nothing).
    public func recordSessionProcess(_ session: String, _ process: ProcessIdentity) async throws {
        try await storage {
            try await writer.write { db in
                try db.execute(
                    sql: "INSERT OR IGNORE INTO sessionProcess (session, pid, startTime) VALUES (?, ?, ?)",
                    arguments: [session, process.pid, Int64(bitPattern: process.startTime)])
            }
        }
    }

    /// The processes recorded for `session`, alive or not.
    public func sessionProcesses(_ session: String) async throws -> [ProcessIdentity] {
        try await storage {
            try await writer.read { db in
                try Row.fetchAll(db, sql: "SELECT pid, startTime FROM sessionProcess WHERE session = ?", arguments: [session]).map {
                    ProcessIdentity(pid: $0["pid"], startTime: UInt64(bitPattern: $0["startTime"] as Int64))
                }
            }
        }
    }

    /// Forgets a session's processes that have ended, once it has been reaped. A process that
    /// joined meanwhile (it waits for the next reaper) stays recorded.
    public func forgetEndedSessionProcesses(_ session: String) async throws {
        let ended = try await sessionProcesses(session).filter { !$0.isAlive }
        try await storage {
            try await writer.write { db in
                for process in ended {
                    try db.execute(
                        sql: "DELETE FROM sessionProcess WHERE session = ? AND pid = ? AND startTime = ?",
                        arguments: [session, process.pid, Int64(bitPattern: process.startTime)])
                }
            }
        }
    }
}
