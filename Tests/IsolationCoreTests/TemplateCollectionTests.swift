import Foundation
import IsolationCore
import Testing

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
}
