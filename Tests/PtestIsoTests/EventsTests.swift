import Foundation
import IsolationCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `events`: what other processes do, read from the state database's event log.
@Suite(.serialized) struct EventsTests {
    @Test func seesAnotherProcessCreateAndRemoveAnEnvironment() throws {
        let home = try TestHome("cli-events")
        let state = ["--home", home.url.path]
        // A fresh state directory: --since covers everything, so the follower misses nothing
        // whichever of the processes gets going first.
        let follower = try CLI.Running(
            ["events", "--since", "3600", "--json", "--filter", "type=created", "--filter", "type=destroyed"] + state)

        let created = try CLI.run(["create", "--image", "ptest-iso-test/busybox:latest"] + state)
        #expect(created.status == 0, "\(created.output)")
        let id = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try CLI.run(["rm", id] + state).status == 0)

        #expect(follower.waitForOutput(containing: "\"destroyed\""), "\(follower.text)")
        let events = try follower.text.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:]
        }
        #expect(events.map { $0["kind"] as? String } == ["created", "destroyed"], "\(follower.text)")
        #expect(events.allSatisfy { $0["environment"] as? String == id }, "\(follower.text)")
        kill(follower.process.processIdentifier, SIGINT)
        #expect(follower.wait() == 130)
    }

    @Test(arguments: ["kind=created", "type=progress", "type=made", "env="])
    func badFiltersFailInOneLine(filter: String) throws {
        let home = try TestHome("cli-events-bad")
        let result = try CLI.run(["events", "--filter", filter, "--home", home.url.path])
        #expect(result.status == 64 && result.stderr.contains("--filter"), "\(result.output)")
    }
}
