import Foundation
import IsolationCore
import TestSupport
import Testing

/// A filesystem failure is a stable code and one line naming the path, never a Foundation error's text.
@Suite struct FileSystemErrorTests {
    @Test func importingADirectoryOrAMissingFileNamesThePath() async throws {
        let home = try TestHome("fs-errors")
        let manager = try home.manager()
        let directory = await #expect(throws: IsolationError.self) { try await manager.importSnapshot(from: home.url) }
        #expect(directory?.code == .ioFailure)
        #expect(directory?.message == "\(home.url.path) is a directory, not a snapshot archive")
        let missing = home.url.appendingPathComponent("absent.tar")
        let absent = await #expect(throws: IsolationError.self) { try await manager.importSnapshot(from: missing) }
        #expect(absent?.code == .notFound)
        #expect(absent?.message == "\(missing.path) does not exist")
    }

    @Test func exportingOntoADirectoryOrIntoAMissingOneNamesThePath() async throws {
        let home = try TestHome("fs-export-errors")
        let manager = try home.manager()
        let environment = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        let snapshot = try await manager.snapshot(environment.id, name: "fs-\(environment.id)")
        let onto = await #expect(throws: IsolationError.self) { try await manager.exportSnapshot(snapshot.id, to: home.url) }
        #expect(onto?.code == .ioFailure)
        #expect(onto?.message == "\(home.url.path) is a directory; give the archive's file name")
        let missing = home.url.appendingPathComponent("absent")
        let under = await #expect(throws: IsolationError.self) {
            try await manager.exportSnapshot(snapshot.id, to: missing.appendingPathComponent("s.tar"))
        }
        #expect(under?.code == .ioFailure)
        #expect(under?.message == "\(missing.path) is not a directory; the archive s.tar cannot be written there")
        try await manager.destroy(environment.id)
    }
}
