import DockerAPI
import Foundation
import Testing

@testable import FuzzTargets

/// Every input a fuzzer once crashed on, kept under `Tests/FuzzFindings/<target>/`, and every
/// target's seeds, run through the target's body again: a regression stops the test process.
@Suite struct FuzzFindingsTests {
    static let findings = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("FuzzFindings")

    @Test(arguments: FuzzTarget.allCases)
    func keptFindingsAndSeedsRunCleanly(target: FuzzTarget) throws {
        let folder = Self.findings.appendingPathComponent(target.rawValue)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names.sorted() where !name.hasPrefix(".") {
            target.run(try Data(contentsOf: folder.appendingPathComponent(name)))
        }
        for seed in target.seeds { target.run(seed) }
    }

    @Test func theTarSeedsAreArchivesTheReaderTakes() throws {
        // Seeds the reader refused would leave the mutation pass at the first header.
        let seeds = TarReaderTarget.seeds
        #expect(seeds.allSatisfy { $0.count % 2 == 1 })
        #expect(try seeds.map { try TarArchive.entries(in: $0).count } == [5, 2])
    }
}
