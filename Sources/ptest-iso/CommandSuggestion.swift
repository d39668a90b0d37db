import ArgumentParser
import IsolationCore

/// "Did you mean" for a mistyped command. argument-parser reports `ptest-iso lss` as an
/// unexpected argument of the root command, without naming the command that was meant; this
/// checks the command words before parsing and names the closest one, as git and docker do.
enum CommandSuggestion {
    /// The error for the first command word that names no command, or nil when they all do
    /// (or when an option comes first: then the parser has the last word).
    static func unknownCommand(in arguments: [String], root: any ParsableCommand.Type = PtestIso.self) -> String? {
        var command = root
        for word in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !word.hasPrefix("-") else { return nil }
            if let next = subcommands.first(where: { names(of: $0).contains(word) }) {
                command = next
                continue
            }
            // argument-parser adds `help` to every command that has subcommands.
            if word == "help" { return nil }
            let visible = subcommands.filter { $0.configuration.shouldDisplay }.flatMap(names(of:))
            let hint = EditDistance.closest(to: word, in: visible).map { "did you mean '\($0)'?" } ?? "`ptest-iso --help` lists them"
            return "unknown command '\(word)'; \(hint)"
        }
        return nil
    }

    private static func names(of command: any ParsableCommand.Type) -> [String] {
        [command._commandName] + command.configuration.aliases
    }
}
