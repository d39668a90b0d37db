import Foundation
import TestSupport
import Testing

@testable import IsolationCore

/// The state database's event log, which `ptest-iso events` reads across processes.
@Suite struct EventLogTests {
    @Test func aManagersEventsReachTheLogInOrderWithoutProgress() async throws {
        // Given a broadcaster recording into a store, as a manager's does
        let store = try StateStore.inMemory()
        let broadcaster = EventBroadcaster(record: { store.recordEvent($0) })
        // When it emits a creation, a progress step and a removal
        broadcaster.emit(.created, environment: "env-1")
        broadcaster.emit(.progress, environment: "env-1", detail: "creating")
        broadcaster.emit(.destroyed, environment: "env-1")
        // Then the log holds the two lifecycle events, oldest first, and reads on after an id
        let events = try await store.recordedEvents(after: nil)
        #expect(events.map(\.kind) == ["created", "destroyed"])
        #expect(events.allSatisfy { $0.environment == "env-1" })
        #expect(try await store.recordedEvents(after: events[0].id).map(\.kind) == ["destroyed"])
        #expect(try await store.lastEventID() == events[1].id)
    }

    @Test func eventsOlderThanTheRetentionAreDropped() async throws {
        // Given an event recorded two days ago
        let store = try StateStore.inMemory()
        let old = Date().addingTimeInterval(-2 * StateStore.eventLogRetention)
        store.recordEvent(IsolationEvent(sequence: 1, kind: .created, environment: "old", snapshot: nil, time: old, detail: nil))
        // When a new one is recorded
        store.recordEvent(IsolationEvent(sequence: 2, kind: .created, environment: "new", snapshot: nil, time: Date(), detail: nil))
        // Then only the new one is kept
        #expect(try await store.recordedEvents(after: nil).map(\.environment) == ["new"])
    }

    @Test func recordingAnEventWaitsForNoOtherProcesssWrite() async throws {
        // Given a state database whose write lock another process holds (a write transaction)
        let home = try TestHome("event-log")
        let file = home.url.appendingPathComponent("state.sqlite")
        let store = try await StateStore.open(at: file)
        let holder = try HeldByAnotherProcess.writeLock(on: file)
        #expect(holder.waitUntilHeld())
        // When an event is recorded meanwhile
        store.recordEvent(IsolationEvent(sequence: 1, kind: .created, environment: "env-1", snapshot: nil, time: Date(), detail: nil))
        // Then recording returned with the write still queued behind the other process's
        #expect(store.queuedEvents.count == 1)
        // And once the other process commits, the event reaches the log
        holder.release()
        await store.settleEvents()
        #expect(store.queuedEvents.count == 0)
        #expect(try await store.recordedEvents(after: nil).map(\.environment) == ["env-1"])
    }
}
