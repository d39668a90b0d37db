import Foundation
import IsolationCore
import TestSupport
import Testing

/// `ls` and `snapshot ls` as `docker ps` users read them; colour, JSON and mistyped commands.
@Suite(.serialized) struct OutputTests {
    @Test func lsPrintsIdsTemplatesAndAShortTable() throws {
        let home = try TestHome("cli-ls")
        let state = ["--home", home.url.path]
        let id = try CLI.run(["create", "--name", "lister", "-q"] + state).stdout.trimmingCharacters(in: .newlines)
        defer { _ = try? CLI.run(["rm", "--force", id] + state) }

        #expect(try CLI.run(["ls", "-q"] + state).stdout == "\(id)\n")
        let template = try CLI.run(["ls", "--format", #"{{.ID}}\t{{.Name}} {{.Status}} {{.Label "ptest-iso.session"}}"#] + state)
        #expect(template.stdout == "\(id)\tlister ready ptest-iso-cli\n", "\(template.output)")
        let aligned = try CLI.run(["ls", "--format", #"table {{.Name}}\t{{.Engine}}"#] + state).stdout
        #expect(aligned == "NAME    ENGINE\nlister  virtualenv\n", "\(aligned)")
        let json = try CLI.run(["ls", "--format", "json"] + state).stdout
        #expect(json == (try CLI.run(["ls", "--json"] + state).stdout))

        // The default table: a 12-character id, how long ago, status; --no-trunc keeps the whole id
        let table = try CLI.run(["ls"] + state).stdout.split(separator: "\n").map(String.init)
        #expect(table.first?.split(separator: " ").first == "ID" && table.first?.contains("CREATED") == true)
        #expect(table.count == 2 && table[1].hasPrefix(id.prefix(12) + "  ") && table[1].contains(" ago "), "\(table)")
        #expect(try CLI.run(["ls", "--no-trunc"] + state).stdout.contains(id))

        // Bad input: one line, exit 64
        for bad in [["--format", "{{.Nope}}"], ["--format", "{{.ID"], ["-q", "--json"], ["--json", "--format", "{{.ID}}"]] {
            let refused = try CLI.run(["ls"] + bad + state)
            #expect(refused.status == 64 && refused.stderr.split(separator: "\n").count == 1, "\(bad): \(refused.output)")
        }

        #expect(try CLI.run(["snapshot", "create", "lister", "--name", "first", "-q"] + state).status == 0)
        let snapshots = try CLI.run(["snapshot", "ls", "--format", "{{.Name}} {{.Source}}"] + state)
        #expect(snapshots.stdout == "first \(id)\n", "\(snapshots.output)")
        #expect(try CLI.run(["snapshot", "ls", "-q"] + state).stdout.hasPrefix("snap-"))
        #expect(try CLI.run(["snapshot", "rm", "first"] + state).status == 0)
    }

    @Test func statusWordsAndErrorsAreColouredOnlyWhenAsked() throws {
        let home = try TestHome("cli-colour")
        let state = ["--home", home.url.path]
        let id = try CLI.run(["create", "-q"] + state).stdout.trimmingCharacters(in: .newlines)
        defer { _ = try? CLI.run(["rm", "--force", id] + state) }
        let green = "\u{1B}[32mready\u{1B}[0m"
        // stdout is a file here: auto means no colour
        #expect(!(try CLI.run(["ls"] + state).stdout.contains("\u{1B}[")))
        #expect(try CLI.run(["ls", "--color", "always"] + state).stdout.contains(green))
        #expect(try CLI.run(["ls", "--color=never"] + state).stdout.contains("\u{1B}[") == false)
        let error = try CLI.run(["inspect", "nope", "--color", "always"] + state)
        #expect(error.stderr.hasPrefix("\u{1B}[31mError: no environment 'nope'"), "\(error.output)")
        #expect(try CLI.run(["ls", "--color", "purple"] + state).status == 64)

        // On a terminal (script(1) gives the command one), auto colours unless NO_COLOR is set
        let command = ([CLI.path, "ls"] + state).joined(separator: " ")
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = nil
        let onTerminal = try CLI.runProgram("/usr/bin/script", ["-qec", command, "/dev/null"], environment: environment)
        #expect(onTerminal.contains(green), "\(onTerminal)")
        environment["NO_COLOR"] = "1"
        let plain = try CLI.runProgram("/usr/bin/script", ["-qec", command, "/dev/null"], environment: environment)
        #expect(plain.contains("ready") && !plain.contains("\u{1B}[3"), "\(plain)")
    }

    @Test func jsonKeepsSlashesAsTheyAre() throws {
        let home = try TestHome("cli-json")
        let state = ["--home", home.url.path]
        let id = try CLI.run(["create", "-q"] + state).stdout.trimmingCharacters(in: .newlines)
        defer { _ = try? CLI.run(["rm", "--force", id] + state) }
        let record = try CLI.run(["inspect", id, "--json"] + state).stdout
        #expect(record.contains(#""location" : "\#(home.url.path)/"#) && !record.contains(#"\/"#), "\(record)")
        #expect(!(try CLI.run(["ls", "--json"] + state).stdout.contains(#"\/"#)))
    }

    @Test func aMistypedCommandGetsASuggestion() throws {
        let typo = try CLI.run(["lss"])
        #expect(typo.status == 64 && typo.stderr == "Error: unknown command 'lss'; did you mean 'ls'?\n", "\(typo.output)")
        let nested = try CLI.run(["snapshot", "restor"])
        #expect(nested.status == 64 && nested.stderr.contains("did you mean 'restore'?"), "\(nested.output)")
        let far = try CLI.run(["zzzzzzzz"])
        #expect(far.status == 64 && far.stderr == "Error: unknown command 'zzzzzzzz'; `ptest-iso --help` lists them\n")
        #expect(try CLI.run(["help", "ls"]).status == 0)
    }
}
