import Foundation
import IsolationCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `stats`: one sample when asked (or piped), a stream of samples until Ctrl-C otherwise.
@Suite(.serialized) struct StatsTests {
    static let image = "ptest-iso-test/busybox:latest"

    @Test func oneSampleOfSeveralEnvironmentsAsJSON() throws {
        let home = try TestHome("cli-stats-one")
        let state = ["--home", home.url.path]
        let ids = try (0..<2).map { _ in
            let created = try CLI.run(["create", "--image", Self.image] + state)
            #expect(created.status == 0, "\(created.output)")
            return created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        defer { _ = try? CLI.run(["rm", "--force"] + ids + state) }

        let stats = try CLI.run(["stats"] + ids + ["--no-stream", "--json"] + state)
        #expect(stats.status == 0, "\(stats.output)")
        let samples = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(samples.compactMap { $0["id"] as? String } == ids, "\(stats.stdout)")
        #expect(samples.allSatisfy { ($0["pids"] as? Int ?? 0) >= 1 }, "\(stats.stdout)")
        let table = try CLI.run(["stats"] + ids + ["--no-stream"] + state)
        #expect(table.stdout.hasPrefix("ID"), "\(table.output)")
        #expect(ids.allSatisfy { table.stdout.contains($0) }, "\(table.output)")
    }

    @Test func streamingDeliversSamplesUntilInterrupted() throws {
        let home = try TestHome("cli-stats-stream")
        let state = ["--home", home.url.path]
        let created = try CLI.run(["create", "--image", Self.image] + state)
        let id = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? CLI.run(["rm", "--force", id] + state) }

        let follower = try CLI.Running(["stats", id, "--stream", "--json"] + state)
        // Two complete lines: the second sample came after the first was printed.
        #expect(follower.waitForLines(2), "\(follower.text)")
        let complete = follower.text.split(separator: "\n").prefix(2)
        #expect(complete.count == 2, "\(follower.text)")
        for line in complete {
            let sample = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(sample?["id"] as? String == id && (sample?["pids"] as? Int ?? 0) >= 1, "\(line)")
        }
        kill(follower.process.processIdentifier, SIGINT)
        #expect(follower.wait() == 130)
    }
    /// On a terminal (script(1) gives it one) the table is redrawn in place, and Ctrl-C typed
    /// there (byte 3, which the terminal turns into SIGINT) ends it with 130.
    @Test func aTerminalGetsARedrawnTableUntilCtrlC() throws {
        let home = try TestHome("cli-stats-tty")
        let state = ["--home", home.url.path]
        let created = try CLI.run(["create", "--image", Self.image] + state)
        let id = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? CLI.run(["rm", "--force", id] + state) }

        let terminal = Process()
        terminal.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        terminal.arguments = ["-qec", ([CLI.path, "stats", id] + state).joined(separator: " "), "/dev/null"]
        let (input, output) = (Pipe(), Pipe())
        (terminal.standardInput, terminal.standardOutput) = (input, output)
        try terminal.run()
        // Two redraws, the second one complete: home-and-clear, then the header and the row.
        var text = ""
        while text.components(separatedBy: "\u{1B}[H\u{1B}[2J").last.map({ !$0.contains(id) }) ?? true
            || text.components(separatedBy: "\u{1B}[2J").count < 3
        {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
        }
        #expect(text.components(separatedBy: "\u{1B}[H\u{1B}[2JID").count >= 3, "\(text)")
        input.fileHandleForWriting.write(Data([3]))
        _ = output.fileHandleForReading.readDataToEndOfFile()
        terminal.waitUntilExit()
        #expect(terminal.terminationStatus == 130)
    }
}
