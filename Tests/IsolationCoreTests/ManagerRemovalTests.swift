import Foundation
import IsolationCore
import TestSupport
import Testing

/// `remove` (what `ptest-iso rm` calls): which statuses it takes, with and without force.
struct ManagerRemovalTests {
    @Test func onlyForceRemovesARunningEnvironment() async throws {
        let home = try TestHome("remove")
        let manager = try home.manager()
        let environment = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        try await manager.start(environment.id)

        await #expect(throws: IsolationError.self) { try await manager.remove(environment.id) }
        #expect(try await manager.get(environment.id).status == .running)

        try await manager.remove(environment.id, force: true)
        #expect(try await manager.get(environment.id).status == .destroyed)
        #expect(!FileManager.default.fileExists(atPath: environment.location))
        try await manager.remove(environment.id, force: true)
        await #expect(throws: IsolationError.self) { try await manager.remove(environment.id) }
    }

    @Test func forceFinishesARemovalWhoseProcessDied() async throws {
        // Given an environment left in `destroying` by a destroyer that died
        let home = try TestHome("remove-stuck")
        let manager = try home.manager()
        let environment = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        try await manager.store.updateEnvironment(environment.id) { $0.status = .destroying }

        // When it is removed without and with force
        let refused = await #expect(throws: IsolationError.self) { try await manager.remove(environment.id) }

        // Then only force takes it, and its directory goes
        #expect(refused?.code == .illegalTransition)
        try await manager.remove(environment.id, force: true)
        #expect(try await manager.get(environment.id).status == .destroyed)
        #expect(!FileManager.default.fileExists(atPath: environment.location))
    }
}
