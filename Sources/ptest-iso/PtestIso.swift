import ArgumentParser
import Foundation
import IsolationCore

@main
struct PtestIso: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ptest-iso",
        abstract: "Inspect, snapshot and clean up ptest-isolation environments.",
        version: PtestIsolationVersion.current,
        subcommands: [Doctor.self, List.self, Cleanup.self, Reap.self]
    )
}

/// Flags every command takes.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print machine-readable JSON instead of a table.")
    var json = false
}

/// Where the state lives.
struct StateOptions: ParsableArguments {
    @Option(help: "The state directory (default: $PTEST_ISO_HOME, else the XDG state directory).")
    var home: String?

    func manager() throws -> IsolationManager {
        var configuration = IsolationManager.Configuration(session: "ptest-iso-cli")
        if let home { configuration.home = URL(fileURLWithPath: home) }
        return try IsolationManager(configuration: configuration)
    }
}

func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .secondsSince1970
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
