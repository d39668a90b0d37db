import Foundation
import IsolationCore
import Synchronization
import TestSupport
import Testing

@Suite struct ManagerTests {
    @Test func eventsArriveInOrder() async throws {
        let home = try TestHome("events")
        let manager = try home.manager()
        let events = manager.events()
        let environment = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        try await manager.stop(environment.id)
        try await manager.start(environment.id)
        _ = try await manager.snapshot(environment.id, name: "s-\(environment.id)")
        try await manager.destroy(environment.id)
        var kinds: [IsolationEvent.Kind] = []
        var sequences: [UInt64] = []
        for await event in events {
            kinds.append(event.kind)
            sequences.append(event.sequence)
            if event.kind == .destroyed { break }
        }
        #expect(kinds == [.progress, .created, .stopped, .started, .snapshotCreated, .destroyed])
        #expect(sequences == sequences.sorted() && Set(sequences).count == sequences.count)
    }

    @Test func illegalOperationsAreErrorsNotNoOps() async throws {
        let home = try TestHome("illegal")
        let manager = try home.manager()
        let environment = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        try await manager.stop(environment.id)
        let stopped = await #expect(throws: IsolationError.self) { try await manager.run(environment.id, Command(["true"])) }
        #expect(stopped?.code == .illegalTransition)
        try await manager.destroy(environment.id)
        let twice = await #expect(throws: IsolationError.self) { try await manager.destroy(environment.id) }
        #expect(twice?.code == .illegalTransition)
        let unknown = await #expect(throws: IsolationError.self) { try await manager.get("env-unknown") }
        #expect(unknown?.code == .notFound)
    }

    @Test func theCapOnLiveEnvironmentsHolds() async throws {
        let home = try TestHome("cap")
        let manager = try home.manager(maxLive: 2)
        let first = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        _ = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        let third = await #expect(throws: IsolationError.self) { try await manager.create(EnvironmentSpec(useTemplateCache: false)) }
        #expect(third?.code == .capacityExceeded)
        try await manager.destroy(first.id)
        _ = try await manager.create(EnvironmentSpec(useTemplateCache: false))
    }

    @Test func aFailedCreationLeavesNothingButItsRecord() async throws {
        let home = try TestHome("fail")
        let manager = try home.manager()
        let error = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(python: ">=3.99"))
        }
        #expect(error?.code == .interpreterNotFound)
        let failed = try await manager.list(EnvironmentFilter(statuses: [.failed]))
        #expect(failed.count == 1)
        #expect(!FileManager.default.fileExists(atPath: home.url.appendingPathComponent("envs/\(failed[0].id)").path))
    }

    @Test func sessionsAndTTLsSelectWhatToDestroy() async throws {
        let home = try TestHome("session")
        let mine = try home.manager(session: "mine")
        let theirs = try home.manager(session: "theirs")
        let a = try await mine.create(EnvironmentSpec(labels: ["role": "db"], useTemplateCache: false))
        let b = try await mine.create(EnvironmentSpec(ttlSeconds: 0.001, useTemplateCache: false))
        let c = try await theirs.create(EnvironmentSpec(useTemplateCache: false))
        #expect(a.labels["ptest-iso.session"] == "mine")
        #expect(a.labels["role"] == "db")
        #expect(try await mine.list(EnvironmentFilter(labels: ["role": "db"])).map(\.id) == [a.id])
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await mine.destroyExpired() == [b.id])
        #expect(try await mine.destroySession() == [a.id])
        #expect(try await theirs.get(c.id).status == .ready)
        #expect(try await mine.list(EnvironmentFilter(session: "mine")).isEmpty)
    }

    @Test func cleanupPoliciesDecideWhatSessionAndTTLCleanupRemove() async throws {
        let home = try TestHome("policy")
        let manager = try home.manager(session: "policies")
        let ordinary = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        let kept = try await manager.create(EnvironmentSpec(ttlSeconds: 0.001, cleanup: .keep, useTemplateCache: false))
        let untilTTL = try await manager.create(EnvironmentSpec(ttlSeconds: 0.001, cleanup: .afterTTL, useTemplateCache: false))
        #expect(try await manager.destroySession() == [ordinary.id])
        try await Task.sleep(for: .milliseconds(20))
        // The TTL removes `after-ttl`, never `keep` (kept for debugging until removed by hand).
        #expect(try await manager.destroyExpired() == [untilTTL.id])
        #expect(try await manager.get(kept.id).status == .ready)
        try await manager.destroy(kept.id)
    }

    @Test func aTimeoutBoundsAnOperation() async throws {
        let home = try TestHome("bound")
        let manager = try home.manager()
        let environment = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        let error = await #expect(throws: IsolationError.self) {
            try await manager.run(environment.id, Command(["sleep", "30"]), timeout: .milliseconds(300))
        }
        #expect(error?.code == .timeout)
    }

    @Test func aTimedOutCreateLeavesNothingLaterCreatesTrust() async throws {
        // Given a fresh manager whose interpreter discovery has asked nothing yet
        let home = try TestHome("cut-short")
        let manager = try home.manager()
        // When creates are cut short, the first most likely while the interpreter is being asked about itself
        for _ in 0..<5 {
            do {
                let made = try await manager.create(EnvironmentSpec(useTemplateCache: false), timeout: .milliseconds(20))
                try await manager.destroy(made.id)
            } catch let error as IsolationError {
                #expect(error.code == .timeout, "\(error)")
            }
        }
        // Then an ordinary create on the same manager finds the interpreter
        let environment = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        #expect(environment.status == .ready)
        try await manager.destroy(environment.id)
    }
}
