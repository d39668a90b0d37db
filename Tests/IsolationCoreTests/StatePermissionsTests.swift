import Foundation
import IsolationCore
import TestSupport
import Testing

/// The state directory is 0700, and what is in it is private too: the database with its
/// SQLite companions, and the reaper's socket.
@Suite struct StatePermissionsTests {
    func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) & 0o777
    }

    @Test func theDatabaseItsCompanionsAndTheReaperSocketAreTheOwnersOnly() async throws {
        // Given a manager that made an environment (so the database was written and a reaper listens)
        let home = try TestHome("private")
        var configuration = IsolationManager.Configuration(home: home.url, session: "private-\(UUID().uuidString.prefix(8))")
        configuration.reaperExecutable = URL(fileURLWithPath: CLI.path)
        let manager = try await IsolationManager.open(configuration: configuration, engines: [VirtualenvEngine(home: home.url)])
        let environment = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        // Then every file of the database and the socket are 0600
        let database = home.url.appendingPathComponent("state.sqlite").path
        for path in [database, database + "-wal", database + "-shm"] {
            #expect(try mode(path) == 0o600, "\(path)")
        }
        let socket = ReaperPaths(home: home.url, session: configuration.session).socket
        #expect(try mode(socket) == 0o600, "\(socket)")
        try await manager.destroy(environment.id)
    }

    @Test func aDatabaseMadeWorldReadableBeforeIsNarrowedWhenOpened() async throws {
        // Given a database whose files an older version left 0644
        let home = try TestHome("narrowed")
        let url = home.url.appendingPathComponent("state.sqlite")
        do {
            let store = try await StateStore.open(at: url)
            try await store.recordSessionProcess("s", try #require(ProcessIdentity.current()))
            for suffix in ["", "-wal", "-shm"] {
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path + suffix)
            }
        }
        // When it is opened again
        let store = try await StateStore.open(at: url)
        try await store.recordSessionProcess("t", try #require(ProcessIdentity.current()))
        // Then its files are the owner's only
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: url.path + suffix) {
            #expect(try mode(url.path + suffix) == 0o600, "state.sqlite\(suffix)")
        }
    }
}
