import Foundation
import IsolationCore
import TestSupport
import Testing

/// `ptest-iso run` writes the command's output as it comes: the built binary's first line is
/// read while the command still waits for a file the test makes only after reading it.
@Suite struct RunStreamingTests {
    @Test(arguments: [[], ["--image", "ptest-iso-test/busybox:latest"]])
    func outputArrivesBeforeTheCommandEnds(_ engineOptions: [String]) throws {
        let home = try TestHome("cli-stream")
        let state = ["--home", home.url.path]
        let created = try CLI.run(["create", "--ttl", "600"] + engineOptions + state)
        #expect(created.status == 0, "\(created.output)")
        let id = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? CLI.run(["rm", "--force", id] + state) }

        let script = "echo first; while [ ! -e release ]; do sleep 0.02; done; echo second; exit 5"
        let running = try CLI.Running(["run", id] + state + ["--", "sh", "-c", script])
        #expect(running.waitForOutput(containing: "first\n"), "the first line did not come: \(running.text)")
        // The command is still waiting; only now may it end.
        #expect(try CLI.run(["run", id] + state + ["--", "touch", "release"]).status == 0)
        #expect(running.wait() == 5)
        #expect(running.text == "first\nsecond\n")

        // --json stays one document with the whole output, at the end.
        let json = try CLI.run(["run", id, "--json"] + state + ["--", "sh", "-c", "echo out; echo err >&2"])
        #expect(json.status == 0, "\(json.output)")
        let whole = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(whole?["stdout"] as? String == "out\n" && whole?["stderr"] as? String == "err\n", "\(json.output)")
    }
}
