public import Foundation
import GRDB

/// An event as the state database's event log holds it: `id` orders the events of every process.
public struct RecordedEvent: Codable, Sendable, Hashable {
    public var id: Int64
    public var kind: String
    public var environment: String?
    public var snapshot: String?
    public var time: Date
    public var detail: String?
}

extension StateStore {
    /// How long the log keeps an event: long enough for `events --since`, short enough to stay small.
    static let eventLogRetention: TimeInterval = 86_400

    /// Appends an event to the log, and drops events older than a day.
    ///
    /// Not an error when the write fails: the event was already delivered in-process, and the
    /// operation that caused it must not fail for its log.
    func recordEvent(_ event: IsolationEvent) {
        _ = try? writer.write { db in
            try db.execute(
                sql: "INSERT INTO eventLog (kind, environment, snapshot, time, detail) VALUES (?, ?, ?, ?, ?)",
                arguments: [event.kind.rawValue, event.environment, event.snapshot, event.time.timeIntervalSince1970, event.detail])
            try db.execute(
                sql: "DELETE FROM eventLog WHERE time < ?",
                arguments: [event.time.timeIntervalSince1970 - Self.eventLogRetention])
        }
    }

    /// Events after `id` (all kept ones for `nil`) and at or after `since`, oldest first.
    ///
    /// - Throws: ``IsolationError/Code/storageFailure`` when the database cannot be read.
    public func recordedEvents(after id: Int64?, since: Date? = nil) async throws -> [RecordedEvent] {
        try await storage {
            try await writer.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT * FROM eventLog WHERE id > ? AND time >= ? ORDER BY id",
                    arguments: [id ?? 0, since?.timeIntervalSince1970 ?? 0]
                ).map {
                    RecordedEvent(
                        id: $0["id"], kind: $0["kind"], environment: $0["environment"], snapshot: $0["snapshot"],
                        time: Date(timeIntervalSince1970: $0["time"]), detail: $0["detail"])
                }
            }
        }
    }

    /// The newest event's id: following from here shows only what happens next.
    public func lastEventID() async throws -> Int64 {
        try await storage { try await writer.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM eventLog") ?? 0 } }
    }
}
