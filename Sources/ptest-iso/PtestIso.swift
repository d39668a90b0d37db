import ArgumentParser
import IsolationCore

@main
struct PtestIso: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ptest-iso",
        abstract: "Inspect, snapshot and clean up ptest-isolation environments.",
        version: PtestIsolationVersion.current,
        subcommands: [Doctor.self]
    )
}

/// Flags every command takes.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print machine-readable JSON instead of a table.")
    var json = false
}
