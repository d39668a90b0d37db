import Foundation
import IsolationCore
import Testing

@Suite struct DiagnosticsTests {
    @Test func theRunningDaemonIsReportedWithItsVersion() async throws {
        let report = await Diagnostics.run()
        #expect(report.docker.reachable, "\(report.docker.problem ?? "")")
        #expect(report.docker.apiVersion != nil)
        #expect(report.docker.serverVersion != nil)
        #expect((report.docker.cpus ?? 0) > 0)
    }

    @Test func anUnreachableDaemonIsAFindingNotAnError() async throws {
        let report = await Diagnostics.run(environment: ["DOCKER_HOST": "unix:///tmp/ptest-iso-absent-\(UUID().uuidString).sock"])
        #expect(report.docker.reachable == false)
        #expect(report.docker.problemCode == "daemonUnreachable")
        #expect(report.docker.problem?.contains("scripts/docker-up.sh") == true)
    }

    @Test func labelsCarryTheSessionEnvironmentAndExpiry() {
        let labels = ResourceLabels.labels(session: "s1", environment: "e1", expiresAt: 1_700_000_000.2)
        #expect(
            labels == [
                "ptest-iso.managed": "true", "ptest-iso.session": "s1",
                "ptest-iso.environment": "e1", "ptest-iso.expires-at": "1700000001",
            ])
        #expect(ResourceLabels.sessionFilter("s1") == ["label": ["ptest-iso.managed=true", "ptest-iso.session=s1"]])
    }
}
