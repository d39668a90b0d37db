import Foundation
import Testing

@testable import IsolationCore

@Suite struct LegacyDetailKeysTests {
    @Test func everyOldKeyIsReadUnderItsSnakeCaseName() {
        let old = Dictionary(uniqueKeysWithValues: LegacyDetailKeys.renamed.keys.map { ($0, "value of \($0)") })
        let upgraded = LegacyDetailKeys.upgraded(old.merging(["port.8080": "32768", "mode": "sandbox"]) { $1 })
        for (oldName, newName) in LegacyDetailKeys.renamed {
            #expect(upgraded[newName] == "value of \(oldName)")
            #expect(upgraded[oldName] == nil)
            #expect(newName == newName.lowercased(), "\(newName) is snake_case")
        }
        // Keys that were never camelCase are left as they are.
        #expect(upgraded["port.8080"] == "32768" && upgraded["mode"] == "sandbox")
    }

    @Test func aNewNameAlreadyPresentWins() {
        let upgraded = LegacyDetailKeys.upgraded(["restoredFrom": "old", "restored_from": "new"])
        #expect(upgraded == ["restored_from": "new"])
    }

    @Test func aSnapshotReadFromAnOlderArchiveGetsTheNewNames() {
        let snapshot = Snapshot(
            id: "s", name: "n", engine: .docker, sourceEnvironment: "e", spec: EnvironmentSpec(), createdAt: Date(),
            location: "sha256:1", details: ["snapshotImage": "sha256:1", "snapshotVolumes": "data"])
        #expect(snapshot.withUpgradedDetails().details == ["snapshot_image": "sha256:1", "snapshot_volumes": "data"])
    }
}
