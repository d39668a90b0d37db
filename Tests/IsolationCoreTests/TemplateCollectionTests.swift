import Foundation
import IsolationCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Shrinking the template cache (`ptest-iso gc`).
struct TemplateCollectionTests {
    @Test func aDryRunCollectionRemovesNothing() async throws {
        // Given one template
        let home = try TestHome("collect")
        let wheels = home.url.appendingPathComponent("wheels")
        try Wheels.make("ptiso_collect", "1.0.0", in: wheels)
        let manager = try home.manager()
        _ = try await manager.create(EnvironmentSpec(requirements: ["ptiso_collect==1.0.0"], findLinks: [wheels.path], offline: true))
        #expect(manager.templates().count == 1)

        // When collected to 0 bytes, first as a dry run
        let planned = try manager.collectTemplates(maxBytes: 0, dryRun: true)
        #expect(planned.evicted.map(\.key) == manager.templates().map(\.key))
        #expect(planned.freedBytes == planned.totalBytes && planned.totalBytes > 0)
        let done = try manager.collectTemplates(maxBytes: 0, dryRun: false)

        // Then the real run removes what the dry run listed
        #expect(done.evicted == planned.evicted)
        #expect(manager.templates().isEmpty)
    }

    @Test func collectionRemovesLockFilesButNotOneAConcurrentCreatorHolds() async throws {
        // Given one template, and the lock of another being built by a concurrent creator
        let home = try TestHome("collect-locks")
        let wheels = home.url.appendingPathComponent("wheels")
        try Wheels.make("ptiso_locks", "1.0.0", in: wheels)
        let manager = try home.manager()
        let spec = EnvironmentSpec(requirements: ["ptiso_locks==1.0.0"], findLinks: [wheels.path], offline: true)
        _ = try await manager.create(spec)
        let templates = home.url.appendingPathComponent("templates")
        func locks() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: templates.path).filter { $0.hasSuffix(".lock") }.sorted()
        }
        #expect(try locks().count == 1)
        let building = templates.appendingPathComponent("0123456789abcdef0123456789abcdef.lock").path
        let creator = open(building, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #expect(creator >= 0 && flock(creator, LOCK_EX | LOCK_NB) == 0)

        // When collected to 0 bytes
        _ = try manager.collectTemplates(maxBytes: 0, dryRun: false)

        // Then the evicted template's lock is gone, the held one stays
        #expect(manager.templates().isEmpty)
        #expect(try locks() == ["0123456789abcdef0123456789abcdef.lock"])

        // And once its creator let go (its build failed: no template), the next collection removes it
        close(creator)
        _ = try manager.collectTemplates(maxBytes: 0, dryRun: false)
        #expect(try locks() == [])

        // And a creator after all that builds the template again under a new lock
        let again = try await manager.create(spec)
        #expect(again.details["template"] != nil)
        #expect(manager.templates().count == 1)
        #expect(try locks().count == 1)
    }
}
