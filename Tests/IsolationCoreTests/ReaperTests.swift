import Foundation
import IsolationCore
import Logging
import TestSupport
import Testing

/// The session reaper, run as the real `ptest-iso reap` process and in-process.
@Suite struct ReaperTests {
    static let logger = Logger(label: "reaper-tests", factory: { _ in SwiftLogNoOpLogHandler() })

    func manager(_ home: borrowing TestHome, session: String) throws -> IsolationManager {
        var configuration = IsolationManager.Configuration(home: home.url, session: session)
        configuration.reaperExecutable = URL(fileURLWithPath: CLI.path)
        configuration.reaperGraceSeconds = 0.5
        return try IsolationManager(configuration: configuration, engines: [VirtualenvEngine(home: home.url)])
    }

    /// Polls a condition for up to `seconds`: the reaper works in another process.
    func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(100_000)
        }
        return try condition()
    }

    @Test func aProcessIdentityOutlivesNeitherItsProcessNorAReusedPID() async throws {
        let me = try #require(ProcessIdentity.current())
        #expect(me.isAlive)
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        #expect(ProcessIdentity(pid: child.processIdentifier, startTime: me.startTime).isAlive == false)
        // The same PID with another start time is another process.
        #expect(ProcessIdentity(pid: me.pid, startTime: me.startTime + 1).isAlive == false)
    }

    @Test func aReapedSessionForgetsOnlyItsEndedProcesses() async throws {
        let store = try StateStore.inMemory()
        let me = try #require(ProcessIdentity.current())
        let ended = ProcessIdentity(pid: me.pid, startTime: me.startTime + 1)
        try await store.recordSessionProcess("s", me)
        try await store.recordSessionProcess("s", ended)
        try await store.forgetEndedSessionProcesses("s")
        // A client that joined while the session was being reaped is still recorded.
        #expect(try await store.sessionProcesses("s") == [me])
    }

    @Test func theSessionEndRemovesWhatItLeftButSparesKeptAndTTLBoundEnvironments() async throws {
        let home = try TestHome("reaper")
        var locations: [CleanupPolicy: String] = [:]
        do {
            let manager = try manager(home, session: "reaped")
            for policy in [CleanupPolicy.endOfSession, .endOfTest, .keep, .afterTTL] {
                locations[policy] = try await manager.create(EnvironmentSpec(cleanup: policy, useTemplateCache: false)).location
            }
        }
        // The manager is gone, and with it the reaper's only client.
        #expect(eventually(20) { !FileManager.default.fileExists(atPath: locations[.endOfSession]!) })
        #expect(eventually(5) { !FileManager.default.fileExists(atPath: locations[.endOfTest]!) })
        #expect(FileManager.default.fileExists(atPath: locations[.keep]!))
        #expect(FileManager.default.fileExists(atPath: locations[.afterTTL]!))
        // Its work done, the reaper leaves no lock, socket or log.
        let paths = ReaperPaths(home: home.url, session: "reaped")
        #expect(eventually(5) { !FileManager.default.fileExists(atPath: paths.lock.path) })
        #expect(!FileManager.default.fileExists(atPath: paths.socket))
        #expect(!FileManager.default.fileExists(atPath: paths.log.path))
    }

    @Test func aLiveClientKeepsTheSessionAndOneReaperServesIt() async throws {
        let home = try TestHome("reaper-live")
        let first = try manager(home, session: "shared")
        let kept = try await first.create(EnvironmentSpec(useTemplateCache: false))
        do {
            // A second client of the session (an xdist worker) joins; when it leaves, the first still holds the session.
            let second = try manager(home, session: "shared")
            _ = try await second.create(EnvironmentSpec(useTemplateCache: false))
        }
        let reaper = SessionReaper(home: home.url, session: "shared", logger: Self.logger)
        #expect(try await reaper.run() == .alreadyRunning)
        // The reaper has seen the second client leave and counts the first: it has nothing to wait out.
        let log = ReaperPaths(home: home.url, session: "shared").log
        #expect(eventually(20) { (try? String(contentsOf: log, encoding: .utf8))?.contains("client left; 1 connected") == true })
        #expect(FileManager.default.fileExists(atPath: kept.location))
        try await first.destroy(kept.id)
    }

    @Test func theReaperRemovesExpiredEnvironmentsOfAnySession() async throws {
        let home = try TestHome("reaper-ttl")
        let time = ManualTime()
        var configuration = IsolationManager.Configuration(home: home.url, session: "long-lived")
        configuration.clock = time.clock
        let other = try await IsolationManager.open(configuration: configuration, engines: [VirtualenvEngine(home: home.url)])
        let expiring = try await other.create(EnvironmentSpec(ttlSeconds: 60, cleanup: .afterTTL, useTemplateCache: false))
        let lasting = try await other.create(EnvironmentSpec(ttlSeconds: 3600, cleanup: .afterTTL, useTemplateCache: false))
        time.advance(by: 61)
        var reaper = SessionReaper(home: home.url, session: "sweeper", grace: .zero, logger: Self.logger)
        reaper.clock = time.clock
        reaper.firstClientWait = .seconds(3)
        guard case .reaped = try await reaper.run() else {
            Issue.record("a reaper with no rival must reap")
            return
        }
        #expect(try await other.get(expiring.id).status == .destroyed)
        #expect(!FileManager.default.fileExists(atPath: expiring.location))
        // An hour's TTL is not over a minute later.
        #expect(try await other.get(lasting.id).status == .ready)
        try await other.destroy(lasting.id)
    }
}
