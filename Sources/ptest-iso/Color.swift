import ArgumentParser
import Foundation
import IsolationCore

#if canImport(Glibc)
    import Glibc
#endif

/// `--color`: whether status words and error lines are coloured.
enum ColorChoice: String, CaseIterable, ExpressibleByArgument {
    case auto, always, never
}

/// The colours of this invocation. Decided once, from the command line itself rather than from
/// a parsed command, because the error line of a command line that does not parse is coloured too.
struct Palette: Sendable {
    let stdout: Bool
    let stderr: Bool

    static let current = Palette(
        choice: chosen(in: Array(CommandLine.arguments.dropFirst())), environment: ProcessInfo.processInfo.environment,
        stdoutIsTerminal: isatty(STDOUT_FILENO) == 1, stderrIsTerminal: isatty(STDERR_FILENO) == 1)

    /// `always` and `never` win; `auto` colours a stream only when it is a terminal and
    /// `NO_COLOR` is unset or empty (no-color.org).
    init(choice: ColorChoice, environment: [String: String], stdoutIsTerminal: Bool, stderrIsTerminal: Bool) {
        switch choice {
        case .always: (stdout, stderr) = (true, true)
        case .never: (stdout, stderr) = (false, false)
        case .auto:
            let allowed = (environment["NO_COLOR"] ?? "").isEmpty
            (stdout, stderr) = (allowed && stdoutIsTerminal, allowed && stderrIsTerminal)
        }
    }

    /// The last `--color VALUE` or `--color=VALUE` before `--` (what follows belongs to a command
    /// `run` starts); `auto` when there is none or it is not a choice (the parser reports that).
    static func chosen(in arguments: [String]) -> ColorChoice {
        var choice = ColorChoice.auto
        var words = arguments[...]
        while let word = words.popFirst(), word != "--" {
            if word == "--color", let value = words.first {
                choice = ColorChoice(rawValue: value) ?? choice
            } else if word.hasPrefix("--color=") {
                choice = ColorChoice(rawValue: String(word.dropFirst("--color=".count))) ?? choice
            }
        }
        return choice
    }

    /// A status word as `docker ps` users read it: live and well green, failed red, halted
    /// yellow, on its way out dim.
    func status(_ text: String) -> String {
        // A table cell comes padded: the word is coloured, the padding is not.
        let word = text.trimmingCharacters(in: .whitespaces)
        guard stdout, let status = EnvironmentStatus(rawValue: word) else { return text }
        let padding = String(text.dropFirst(word.count))
        switch status {
        case .ready, .running: return Self.wrap(word, "32") + padding
        case .failed: return Self.wrap(word, "31") + padding
        case .paused, .stopped: return Self.wrap(word, "33") + padding
        case .destroying, .destroyed: return Self.wrap(word, "2") + padding
        case .creating: return text
        }
    }

    /// An `Error:` line for stderr.
    func error(_ line: String) -> String {
        stderr ? Self.wrap(line, "31") : line
    }

    private static func wrap(_ text: String, _ code: String) -> String {
        "\u{1B}[\(code)m\(text)\u{1B}[0m"
    }
}
