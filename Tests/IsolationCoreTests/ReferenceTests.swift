import Foundation
import IsolationCore
import TestSupport
import Testing

/// Environments and snapshots named as docker names containers: id, name, or a unique id prefix.
@Suite struct ReferenceTests {
    func environment(_ id: String, name: String? = nil, status: EnvironmentStatus = .ready) -> Environment {
        Environment(
            id: id, engine: .virtualenv, spec: EnvironmentSpec(name: name), status: status, session: "s1", labels: [:],
            createdAt: Date(), expiresAt: nil)
    }

    @Test func aReferenceIsAnIdANameOrAUniquePrefix() async throws {
        // Given two environments whose ids share a prefix, and a destroyed one with the same name as a live one
        let home = try TestHome("references")
        let manager = try home.manager()
        try await manager.store.insertEnvironment(environment("env-bbbb11112222", name: "web", status: .destroyed), maxLive: 10)
        try await manager.store.insertEnvironment(environment("env-aaaa11112222", name: "web"), maxLive: 10)
        try await manager.store.insertEnvironment(environment("env-aaaa33334444"), maxLive: 10)

        // Then each form finds its environment
        await #expect(try manager.resolve("env-aaaa33334444").id == "env-aaaa33334444")
        await #expect(try manager.resolve("web").id == "env-aaaa11112222")
        await #expect(try manager.resolve("env-aaaa3").id == "env-aaaa33334444")
        await #expect(try manager.resolve("aaaa1").id == "env-aaaa11112222")
        await #expect(try manager.resolve("bbbb").id == "env-bbbb11112222")
        await #expect(try manager.resolveAddress("aaaa1/db") == "env-aaaa11112222/db")

        // An ambiguous prefix names the candidates; an unknown reference is notFound
        let ambiguous = await #expect(throws: IsolationError.self) { try await manager.resolve("aaaa") }
        #expect(ambiguous?.code == .invalidSpec)
        #expect(ambiguous?.message.contains("env-aaaa11112222 (web, ready), env-aaaa33334444 (-, ready)") == true)
        #expect((await #expect(throws: IsolationError.self) { try await manager.resolve("cccc") })?.code == .notFound)
        #expect((await #expect(throws: IsolationError.self) { try await manager.resolve("") })?.code == .invalidSpec)
    }

    @Test func aNameIsUniqueAmongLiveEnvironments() async throws {
        let store = try StateStore.inMemory()
        try await store.insertEnvironment(environment("env-1", name: "db"), maxLive: 10)
        let taken = await #expect(throws: IsolationError.self) {
            try await store.insertEnvironment(environment("env-2", name: "db"), maxLive: 10)
        }
        #expect(taken?.code == .invalidSpec && taken?.message.contains("env-1") == true)
        // A failed or destroyed holder frees the name
        try await store.updateEnvironment("env-1") { $0.status = .failed }
        try await store.insertEnvironment(environment("env-3", name: "db"), maxLive: 10)
    }

    @Test func twoProcessesRacingForANameCannotBothHaveIt() async throws {
        // Given two stores on one file, as two processes open it
        let home = try TestHome("name-race")
        let file = home.url.appendingPathComponent("state.sqlite")
        let stores = [try await StateStore.open(at: file), try await StateStore.open(at: file)]
        // When both insert environments of one name at once
        let made = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<8 {
                group.addTask {
                    await (try? stores[index % 2].insertEnvironment(self.environment("env-race\(index)", name: "shared"), maxLive: 64))
                        != nil
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        // Then exactly one has the name
        #expect(made == 1)
    }

    @Test func aSnapshotIsFoundByIdNameOrPrefix() async throws {
        let home = try TestHome("snapshot-references")
        let manager = try home.manager()
        for (id, name) in [("snap-abcd00000001", "one"), ("snap-abcd00000002", "two")] {
            try await manager.store.insertSnapshot(
                Snapshot(
                    id: id, name: name, engine: .virtualenv, sourceEnvironment: "env-x", spec: EnvironmentSpec(), createdAt: Date(),
                    location: ""))
        }
        #expect(try await manager.resolveSnapshot("two").id == "snap-abcd00000002")
        #expect(try await manager.resolveSnapshot("abcd00000001").id == "snap-abcd00000001")
        #expect(try await manager.resolveSnapshot("snap-abcd00000002").name == "two")
        let ambiguous = await #expect(throws: IsolationError.self) { try await manager.resolveSnapshot("abcd") }
        #expect(ambiguous?.message.contains("snap-abcd00000001 (one), snap-abcd00000002 (two)") == true)
        await #expect((#expect(throws: IsolationError.self) { try await manager.resolveSnapshot("zz") })?.code == .notFound)
    }
}
