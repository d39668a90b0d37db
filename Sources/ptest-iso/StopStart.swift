import ArgumentParser
import IsolationCore

struct Stop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop an environment: commands are refused until `start`.",
        discussion: """
            Its files, packages and container stay; only its status changes, for every process \
            sharing the state directory.

            Examples:
              ptest-iso stop env-3f2a9c1b7d40
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The environment's id.")
    var id: String

    func run() async throws {
        let manager = try state.manager()
        try manager.stop(id)
        try report(manager.get(id), json: output.json)
    }
}

struct Start: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start a stopped environment, so it takes commands again.",
        discussion: """
            Examples:
              ptest-iso start env-3f2a9c1b7d40
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The environment's id.")
    var id: String

    func run() async throws {
        let manager = try state.manager()
        try manager.start(id)
        try report(manager.get(id), json: output.json)
    }
}

/// `ID STATUS`, or the record as JSON.
func report(_ environment: Environment, json: Bool) throws {
    if json { return try printJSON(environment) }
    print("\(environment.id) \(environment.status.rawValue)")
}
