import ArgumentParser
import IsolationCore

struct Stop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop an environment: commands are refused until `start`.",
        discussion: """
            A container is stopped (its processes end); its files, packages and container stay. \
            A virtualenv runs nothing between commands: only its status changes, for every \
            process sharing the state directory.

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
        try await manager.stop(id)
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
        try await manager.start(id)
        try report(manager.get(id), json: output.json)
    }
}

/// `ID STATUS`, or the record as JSON.
func report(_ environment: Environment, json: Bool) throws {
    if json { return try printJSON(environment) }
    print("\(environment.id) \(environment.status.rawValue)")
}

/// `restart`, `pause` and `unpause`: a container's processes, through the same shape of command.
struct Restart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restart a container's processes (Docker environments).",
        discussion: """
            Examples:
              ptest-iso restart env-3f2a9c1b7d40
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The environment's id.")
    var id: String

    func run() async throws {
        let manager = try state.manager()
        try await manager.restart(id)
        try report(manager.get(id), json: output.json)
    }
}

struct Pause: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Freeze a container's processes; commands are refused until `unpause`.",
        discussion: """
            Examples:
              ptest-iso pause env-3f2a9c1b7d40
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The environment's id.")
    var id: String

    func run() async throws {
        let manager = try state.manager()
        try await manager.pause(id)
        try report(manager.get(id), json: output.json)
    }
}

struct Unpause: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Thaw a paused container.",
        discussion: """
            Examples:
              ptest-iso unpause env-3f2a9c1b7d40
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The environment's id.")
    var id: String

    func run() async throws {
        let manager = try state.manager()
        try await manager.unpause(id)
        try report(manager.get(id), json: output.json)
    }
}
