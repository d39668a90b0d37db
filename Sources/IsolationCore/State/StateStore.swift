public import Foundation
import GRDB
import NIOPosix

/// The persistent record of environments, snapshots and sessions: one
/// SQLite database (WAL, busy timeout) that several processes — pytest-xdist
/// workers and the CLI — use at once.
///
/// Every read-modify-write happens inside one write transaction, so two
/// processes never lose each other's updates; SQLite's journal keeps the
/// file consistent when a process dies mid-write.
public struct StateStore: Sendable {
    let writer: any DatabaseWriter
    /// Where the database lives, for messages (`:memory:` for a test store).
    public let path: String
    /// Events handed to the writer queue and not yet written (``recordEvent(_:)``).
    let queuedEvents = QueuedWrites()
    /// Environment payloads this process wrote, so its next change of one skips decoding it.
    let recentEnvironments = RecentPayloads<Environment>()

    /// Opens (and migrates) the database at `url`, shared with other processes, on a thread of
    /// NIO's blocking pool: opening may wait for another process (see the blocking overload).
    ///
    /// - Throws: ``IsolationError/Code/storageFailure`` naming the file.
    public static func open(at url: URL) async throws -> StateStore {
        try await NIOThreadPool.singleton.runIfActive { try open(at: url) }
    }

    /// Opens (and migrates) the database at `url`, shared with other processes, blocking the
    /// calling thread while another process migrates it or holds its write lock: for threads of
    /// the caller's own; async code gets the overload above.
    ///
    /// - Throws: ``IsolationError/Code/storageFailure`` naming the file.
    @available(*, noasync, message: "it may block the thread; async code gets the async overload")
    public static func open(at url: URL) throws -> StateStore {
        var configuration = Configuration()
        // Writers of other processes hold the lock for milliseconds; wait rather than fail.
        configuration.busyMode = .callback(BusyWait.shouldRetry)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            // Processes opening a new database at once race to switch it to WAL and to migrate it,
            // and SQLite answers the loser "busy" without waiting: take turns for that part.
            let lock = try FileLock.acquireBlocking(URL(fileURLWithPath: url.path + ".lock"))
            defer { lock.release() }
            try makePrivate(url)
            let pool = try DatabasePool(path: url.path, configuration: configuration)
            let store = StateStore(writer: pool, path: url.path)
            try store.migrate()
            return store
        } catch let error as IsolationError {
            throw error
        } catch {
            throw IsolationError(.storageFailure, "state database \(url.path): \(error)")
        }
    }

    /// A private in-memory store, for tests.
    public static func inMemory() throws -> StateStore {
        let store = StateStore(writer: try DatabaseQueue(), path: ":memory:")
        try store.migrate()
        return store
    }

    private func migrate() throws {
        var migrator = DatabaseMigrator()
        // A shipped migration is never edited; add a new one instead.
        migrator.registerMigration("v1") { db in
            try db.create(table: "environment") { t in
                t.primaryKey("id", .text)
                t.column("engine", .text).notNull()
                t.column("session", .text).notNull().indexed()
                t.column("status", .text).notNull().indexed()
                t.column("createdAt", .double).notNull()
                t.column("expiresAt", .double)
                t.column("payload", .blob).notNull()
            }
            try db.create(table: "snapshot") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull().unique()
                t.column("engine", .text).notNull()
                t.column("createdAt", .double).notNull()
                t.column("payload", .blob).notNull()
            }
            try db.create(table: "session") { t in
                t.primaryKey("id", .text)
                t.column("ownerPID", .integer)
                t.column("createdAt", .double).notNull()
                t.column("endedAt", .double)
            }
        }
        migrator.registerMigration("v2 session processes") { db in
            // The processes that use a session, so a session whose processes are all gone can be
            // told apart from one that is merely between operations.
            try db.create(table: "sessionProcess") { t in
                t.column("session", .text).notNull().indexed()
                t.column("pid", .integer).notNull()
                t.column("startTime", .integer).notNull()
                t.primaryKey(["session", "pid", "startTime"])
            }
        }
        migrator.registerMigration("v3 event log") { db in
            // What every process's managers did, so `ptest-iso events` in one process sees the
            // environments another one creates and removes (a manager's own stream is in-process).
            try db.create(table: "eventLog") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("kind", .text).notNull()
                t.column("environment", .text)
                t.column("snapshot", .text)
                t.column("time", .double).notNull().indexed()
                t.column("detail", .text)
            }
        }
        migrator.registerMigration("v4 snake_case detail keys") { db in
            // Detail keys took the one snake_case dialect (decision 0017); rows written before are
            // rewritten once, so no reader has to know the old names.
            for table in ["environment", "snapshot"] {
                for row in try Row.fetchAll(db, sql: "SELECT id, payload FROM \(table)") {
                    let id: String = row["id"]
                    let payload: Data = row["payload"]
                    let upgraded: Data
                    // A row this version cannot read is left as it is: failing here would close the
                    // whole database over one record, which reading it reports on its own.
                    if table == "environment" {
                        guard var environment = try? StatePayload.decode(Environment.self, from: payload) else { continue }
                        let details = LegacyDetailKeys.upgraded(environment.details)
                        guard details != environment.details else { continue }
                        environment.details = details
                        upgraded = try StatePayload.encode(environment)
                    } else {
                        guard let snapshot = try? StatePayload.decode(Snapshot.self, from: payload) else { continue }
                        let current = snapshot.withUpgradedDetails()
                        guard current != snapshot else { continue }
                        upgraded = try StatePayload.encode(current)
                    }
                    try db.execute(sql: "UPDATE \(table) SET payload = ? WHERE id = ?", arguments: [upgraded, id])
                }
            }
        }
        try storage { try migrator.migrate(writer) }
    }

    /// SQLite's own consistency check: `ok` when the file is sound.
    public func integrityCheck() async throws -> String {
        try await storage {
            try await writer.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
        }
    }

    func storage<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as IsolationError {
            throw error
        } catch {
            throw IsolationError(.storageFailure, "state database \(path): \(error)")
        }
    }

    /// Runs `body`, GRDB's async access: on the database's own queue, so no concurrency thread
    /// waits on SQLite's locks (another process's write, the busy timeout). It runs shielded
    /// from the caller's cancellation, which GRDB would otherwise answer before touching the
    /// database: what a cancelled operation did must still be recorded (a half-made environment
    /// removed after Ctrl-C is recorded as failed). A failure other than an ``IsolationError``
    /// is `storageFailure`.
    func storage<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let path = self.path
        return try await Task {
            do {
                return try await body()
            } catch let error as IsolationError {
                throw error
            } catch {
                throw IsolationError(.storageFailure, "state database \(path): \(error)")
            }
        }.value
    }
}

/// JSON coding of stored payloads: dates as seconds since 1970.
enum StatePayload {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }
}
