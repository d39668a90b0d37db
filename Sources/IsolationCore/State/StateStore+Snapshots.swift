import Foundation
import GRDB

extension StateStore {
    /// - Throws: ``IsolationError/Code/invalidSpec`` when the name is taken.
    public func insertSnapshot(_ snapshot: Snapshot) async throws {
        try await storage {
            try await writer.write { db in
                let taken =
                    try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM snapshot WHERE name = ?)", arguments: [snapshot.name]) ?? false
                guard !taken else {
                    throw IsolationError(
                        .invalidSpec, field: "name", "a snapshot named '\(snapshot.name)' exists; pick another name or delete it")
                }
                try db.execute(
                    sql: "INSERT INTO snapshot (id, name, engine, createdAt, payload) VALUES (?, ?, ?, ?, ?)",
                    arguments: [
                        snapshot.id, snapshot.name, snapshot.engine.rawValue, snapshot.createdAt.timeIntervalSince1970,
                        try StatePayload.encode(snapshot),
                    ]
                )
            }
        }
    }

    /// Finds a snapshot by id or by name.
    public func snapshot(_ idOrName: String) async throws -> Snapshot? {
        try await storage {
            try await writer.read { db in
                try Data.fetchOne(db, sql: "SELECT payload FROM snapshot WHERE id = ? OR name = ?", arguments: [idOrName, idOrName])
                    .map { try StatePayload.decode(Snapshot.self, from: $0) }
            }
        }
    }

    public func snapshots() async throws -> [Snapshot] {
        try await storage {
            try await writer.read { db in
                try Data.fetchAll(db, sql: "SELECT payload FROM snapshot ORDER BY createdAt, id")
                    .map { try StatePayload.decode(Snapshot.self, from: $0) }
            }
        }
    }

    public func deleteSnapshot(_ id: String) async throws {
        try await storage {
            try await writer.write { db in
                try db.execute(sql: "DELETE FROM snapshot WHERE id = ?", arguments: [id])
            }
        }
    }

    /// Records that a session exists and which process started it.
    @available(*, noasync, message: "it may block the thread; sessions are registered as a manager opens")
    public func registerSession(_ id: String, ownerPID: Int32) throws {
        try storage {
            try writer.write { db in
                try db.execute(
                    sql: "INSERT OR IGNORE INTO session (id, ownerPID, createdAt) VALUES (?, ?, ?)",
                    arguments: [id, ownerPID, Date().timeIntervalSince1970]
                )
            }
        }
    }
}
