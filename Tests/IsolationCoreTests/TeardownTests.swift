import Foundation
import IsolationCore
import TestSupport
import Testing

/// Removal off the caller's critical path, and its guarantee when the remover dies.
@Suite struct TeardownTests {
    @Test func aBackgroundDestroyFinishesAndCanBeWaitedFor() async throws {
        let home = try TestHome("teardown")
        let manager = try home.manager()
        var environments: [Environment] = []
        for _ in 0..<3 { environments.append(try await manager.create(EnvironmentSpec(useTemplateCache: false))) }
        for environment in environments {
            try await manager.destroy(environment.id, background: true)
            // Destroying again is refused at once: the removal is under way or done.
            await #expect(throws: IsolationError.self) { try await manager.destroy(environment.id) }
        }
        await manager.waitForTeardown()
        for environment in environments {
            #expect(try await manager.get(environment.id).status == .destroyed)
            #expect(!FileManager.default.fileExists(atPath: environment.location))
        }
    }

    @Test func cleanupFinishesARemovalItsRemoverDidNotLiveToFinish() async throws {
        let home = try TestHome("teardown-cut")
        let manager = try home.manager(session: "cut-short")
        let environment = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        // As a process killed in the middle of a background destroy leaves it.
        _ = try await manager.store.updateEnvironment(environment.id) { $0.status = .destroying }
        let report = try await manager.cleanup(.endedSession("cut-short"))
        #expect(report.environments == [environment.id])
        #expect(try await manager.get(environment.id).status == .destroyed)
        #expect(!FileManager.default.fileExists(atPath: environment.location))
    }
}
