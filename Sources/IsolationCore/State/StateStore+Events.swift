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

    /// Appends an event to the log, and drops events older than a day, without waiting: the
    /// write is queued on the database's own writer queue (which keeps the events' order), so
    /// no concurrency thread waits on another process's write. ``settleEvents()`` waits for
    /// the queued ones.
    ///
    /// Not an error when the write fails: the event was already delivered in-process, and the
    /// operation that caused it must not fail for its log.
    func recordEvent(_ event: IsolationEvent) {
        let queued = queuedEvents
        queued.add()
        writer.asyncWrite(
            { db in
                try db.execute(
                    sql: "INSERT INTO eventLog (kind, environment, snapshot, time, detail) VALUES (?, ?, ?, ?, ?)",
                    arguments: [event.kind.rawValue, event.environment, event.snapshot, event.time.timeIntervalSince1970, event.detail])
                try db.execute(
                    sql: "DELETE FROM eventLog WHERE time < ?",
                    arguments: [event.time.timeIntervalSince1970 - Self.eventLogRetention])
            },
            completion: { _, _ in queued.remove() })
    }

    /// Returns once every event recorded so far is in the log (written, or its write failed):
    /// before a process exits, before a C ABI call returns, and before this process reads the
    /// log. Free when none is queued.
    public func settleEvents() async {
        guard queuedEvents.count > 0 else { return }
        // The writer queue is serial: an empty access queued now runs after every queued event.
        // Without a transaction, so it takes no lock another process's write could hold.
        _ = try? await storage { try await writer.writeWithoutTransaction { _ in } }
    }

    /// Events after `id` (all kept ones for `nil`) and at or after `since`, oldest first.
    ///
    /// - Throws: ``IsolationError/Code/storageFailure`` when the database cannot be read.
    public func recordedEvents(after id: Int64?, since: Date? = nil) async throws -> [RecordedEvent] {
        // This process's own events first: a read does not wait for queued writes.
        await settleEvents()
        return try await storage {
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
        await settleEvents()
        return try await storage { try await writer.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM eventLog") ?? 0 } }
    }
}
