import Foundation
import IsolationCore
import TestSupport
import Testing

/// Copies of a restored snapshot kept restored ahead of need: the next restore is a hand-over.
@Suite struct RestoreAheadTests {
    func waitingCopies(_ manager: IsolationManager, of snapshot: Snapshot) async throws -> [Environment] {
        await manager.waitForBackgroundWork()
        return try await manager.list().filter { $0.waitsInPool && $0.labels["ptest-iso.pool"] == "restore:\(snapshot.id)" }
    }

    @Test func theNextRestoreTakesACopyMadeAheadThatIsItsOwn() async throws {
        let home = try TestHome("restore-ahead")
        let manager = try home.manager()
        let source = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        _ = try await manager.run(source.id, Command(["sh", "-c", "echo original > state.txt"]))
        let snapshot = try await manager.snapshot(source.id, name: "prepared")

        // The first restore copies; a copy is then made ahead and waits.
        let first = try await manager.restore("prepared", test: "t1")
        #expect(first.details["pool.state"] == nil)
        let waiting = try await waitingCopies(manager, of: snapshot)
        #expect(waiting.count == 1)

        // The second is the copy made ahead, handed over as the asker's, and another is made.
        let second = try await manager.restore("prepared", cleanup: .endOfTest, test: "t2")
        #expect(second.id == waiting.first?.id)
        #expect(second.details["pool.state"] == "acquired")
        #expect(second.details["restored_from"] == "prepared")
        #expect(second.labels["ptest-iso.test"] == "t2")
        #expect(second.spec.cleanup == .endOfTest)
        // The hand-over counts as its pool's hit, as a warm pool's acquire does (the first restore
        // came before the pool, so no miss).
        let pool = try #require(manager.pools().first { $0.name == "restore:\(snapshot.id)" })
        #expect(pool.hits == 1 && pool.misses == 0)
        #expect(try await manager.run(second.id, Command(["cat", "state.txt"])).stdoutText == "original\n")
        let python = try await manager.run(second.id, Command(["python", "-c", "import sys; print(sys.prefix)"]))
        #expect(python.stdoutText == "\(second.location)/venv\n")
        // Its own copy: a write in one restored environment is not seen by another.
        _ = try await manager.run(second.id, Command(["sh", "-c", "echo changed > state.txt"]))
        #expect(try await manager.run(first.id, Command(["cat", "state.txt"])).stdoutText == "original\n")
        let refilled = try await waitingCopies(manager, of: snapshot)
        #expect(refilled.count == 1 && refilled.first?.id != second.id)
        #expect(try await manager.run(refilled[0].id, Command(["cat", "state.txt"])).stdoutText == "original\n")

        // Deleting the snapshot removes its copies made ahead, records and directories.
        try await manager.deleteSnapshot("prepared")
        #expect(try await manager.get(refilled[0].id).status == .destroyed)
        #expect(!FileManager.default.fileExists(atPath: refilled[0].location))
        #expect(!manager.pools().contains { $0.name.hasPrefix("restore:") })
        try await manager.destroySession()
        await manager.shutdown()
    }

    @Test func shutdownRemovesTheCopiesMadeAheadAndOffMakesNone() async throws {
        let home = try TestHome("restore-ahead-off")
        let manager = try home.manager()
        let source = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        let snapshot = try await manager.snapshot(source.id, name: "kept")
        _ = try await manager.restore("kept")
        let waiting = try #require(try await waitingCopies(manager, of: snapshot).first)
        await manager.shutdown()
        #expect(try await manager.get(waiting.id).status == .destroyed)
        #expect(!FileManager.default.fileExists(atPath: waiting.location))

        var configuration = IsolationManager.Configuration(home: home.url, session: "no-ahead")
        configuration.restoreAheadDepth = 0
        let off = try await IsolationManager.open(configuration: configuration, engines: [VirtualenvEngine(home: home.url)])
        _ = try await off.restore("kept")
        _ = try await off.restore("kept")
        await off.waitForBackgroundWork()
        #expect(off.pools().isEmpty)
        #expect(try await off.list().allSatisfy { !$0.waitsInPool })
        try await off.destroySession()
        try await manager.destroySession()
    }

    @Test func aRestoreThatFailsKeepsNoCopyAhead() async throws {
        let home = try TestHome("restore-ahead-failed")
        let manager = try home.manager()
        let source = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        let snapshot = try await manager.snapshot(source.id, name: "broken")
        // What the restore copies is gone, as a full disk or a removed home would leave it.
        try FileManager.default.removeItem(atPath: snapshot.location)
        await #expect(throws: IsolationError.self) { try await manager.restore("broken") }
        await manager.waitForBackgroundWork()
        #expect(!manager.pools().contains { $0.name == "restore:\(snapshot.id)" })
        #expect(try await manager.list().allSatisfy { !$0.waitsInPool })
        try await manager.destroySession()
        await manager.shutdown()
    }

    @Test func aCreateOfTheSnapshotsSpecIsNotGivenARestoredCopy() async throws {
        let home = try TestHome("restore-ahead-create")
        let manager = try home.manager()
        let spec = EnvironmentSpec(useTemplateCache: false)
        let source = try await manager.create(spec)
        _ = try await manager.run(source.id, Command(["sh", "-c", "echo original > state.txt"]))
        let snapshot = try await manager.snapshot(source.id, name: "spec-twin")
        _ = try await manager.restore("spec-twin")
        #expect(try await waitingCopies(manager, of: snapshot).count == 1)
        let fresh = try await manager.create(spec)
        #expect(fresh.details["restored_from"] == nil)
        #expect(try await manager.run(fresh.id, Command(["test", "-e", "state.txt"])).exitCode != 0)
        try await manager.destroySession()
        await manager.shutdown()
    }
}
