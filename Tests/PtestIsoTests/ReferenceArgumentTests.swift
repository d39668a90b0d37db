import Foundation
import IsolationCore
import TestSupport
import Testing

/// Commands take an id, a unique id prefix or a name, as docker's do; completions offer them.
@Suite(.serialized) struct ReferenceArgumentTests {
    @Test func commandsTakeANameOrAnIdPrefixAndNamesAreUnique() throws {
        let home = try TestHome("cli-references")
        let state = ["--home", home.url.path]
        let created = try CLI.run(["create", "--name", "api", "-q"] + state)
        #expect(created.status == 0 && created.stderr.isEmpty, "-q shows no progress: \(created.output)")
        let id = created.stdout.trimmingCharacters(in: .newlines)
        let other = try CLI.run(["create", "-q"] + state).stdout.trimmingCharacters(in: .newlines)

        // By name, by a prefix with and without `env-`
        #expect(try CLI.run(["inspect", "api", "--json"] + state).stdout.contains(#""id" : "\#(id)""#))
        #expect(try CLI.run(["stop", String(id.prefix(10))] + state).stdout == "\(id) stopped\n")
        #expect(try CLI.run(["start", String(id.dropFirst(4).prefix(6))] + state).stdout == "\(id) running\n")
        let ran = try CLI.run(["run", "api"] + state + ["--", "python", "-c", "print('hi')"])
        #expect(ran.stdout == "hi\n", "\(ran.output)")

        // A taken name is refused, naming its holder
        let taken = try CLI.run(["create", "--name", "api"] + state)
        #expect(taken.status == 5 && taken.stderr.contains("an environment named 'api' exists: \(id)"), "\(taken.output)")
        #expect(taken.stderr.split(separator: "\n").last?.hasPrefix("Error:") == true)

        // `env-` alone is a prefix of both: the error lists them; an unknown reference exits 3
        let ambiguous = try CLI.run(["inspect", "env-"] + state)
        #expect(ambiguous.status == 5 && ambiguous.stderr.contains(id) && ambiguous.stderr.contains(other), "\(ambiguous.output)")
        #expect(try CLI.run(["inspect", "nope"] + state).status == 3)

        // Snapshots by name and id prefix; a restored copy is unnamed (the name is the source's)
        let snapshot = try CLI.run(["snapshot", "create", "api", "--name", "base", "-q"] + state)
        #expect(snapshot.status == 0 && snapshot.stderr.isEmpty, "\(snapshot.output)")
        let snapshotID = snapshot.stdout.trimmingCharacters(in: .newlines)
        let restored = try CLI.run(["snapshot", "restore", String(snapshotID.prefix(9)), "-q", "--json"] + state)
        #expect(restored.status == 0 && restored.stderr.isEmpty, "\(restored.output)")
        let copy = try JSONDecoder.seconds.decode(Environment.self, from: Data(restored.stdout.utf8))
        #expect(copy.spec.name == nil)
        #expect(try CLI.run(["snapshot", "rm", "base"] + state).stdout == "\(snapshotID)\n")

        #expect(try CLI.run(["rm", "--force", "api", String(other.prefix(12)), copy.id] + state).stdout == "\(id)\n\(other)\n\(copy.id)\n")
    }

    /// What the completion script runs: `ptest-iso ---completion SUBCOMMAND -- positional@0
    /// ARGUMENT-INDEX CURSOR-INDEX WORDS…`, printing one candidate a line.
    @Test func completionsOfferIdsAndNamesFromTheStateDirectory() throws {
        let home = try TestHome("cli-completion")
        let state = ["--home", home.url.path]
        let id = try CLI.run(["create", "--name", "worker", "-q"] + state).stdout.trimmingCharacters(in: .newlines)
        defer { _ = try? CLI.run(["rm", "--force", id] + state) }
        #expect(try CLI.run(["snapshot", "create", id, "--name", "clean", "-q"] + state).status == 0)

        let all = try CLI.run(["---completion", "inspect", "--", "positional@0", "2", "0"] + state + [""])
        #expect(Set(all.stdout.split(separator: "\n").map(String.init)) == [id, "worker"], "\(all.output)")
        let typed = try CLI.run(["---completion", "rm", "--", "positional@0", "2", "2"] + state + ["wo"])
        #expect(typed.stdout == "worker\n", "\(typed.output)")
        let snapshots = try CLI.run(["---completion", "snapshot", "restore", "--", "positional@0", "2", "2"] + state + ["cl"])
        #expect(snapshots.stdout == "clean\n", "\(snapshots.output)")
        // No state directory: nothing to offer, and none is made
        let missing = home.url.appendingPathComponent("absent").path
        #expect(try CLI.run(["---completion", "inspect", "--", "positional@0", "2", "0", "--home", missing, ""]).stdout == "")
        #expect(!FileManager.default.fileExists(atPath: missing))
        let script = try CLI.run(["--generate-completion-script", "bash"])
        #expect(script.status == 0 && script.stdout.contains("---completion"))
    }
}
