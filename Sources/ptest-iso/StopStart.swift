import ArgumentParser
import IsolationCore

/// What `stop`, `start`, `restart`, `pause` and `unpause` take: one environment.
struct ControlTarget: ParsableArguments {
    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The environment's id, id prefix or name.", completion: Completions.environments)
    var id: String

    /// Applies `action` and prints `ID STATUS` (or the record as JSON).
    func apply(_ action: (IsolationManager, String) async throws -> Void) async throws {
        let manager = try await state.manager()
        let id = try await manager.resolve(id).id
        try await action(manager, id)
        try await report(manager.get(id), json: output.json)
    }
}

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

    @OptionGroup var target: ControlTarget

    func run() async throws { try await target.apply { try await $0.stop($1) } }
}

struct Start: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start a stopped environment, so it takes commands again.",
        discussion: """
            Examples:
              ptest-iso start env-3f2a9c1b7d40
            """
    )

    @OptionGroup var target: ControlTarget

    func run() async throws { try await target.apply { try await $0.start($1) } }
}

struct Restart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restart a container's processes (Docker environments).",
        discussion: """
            Examples:
              ptest-iso restart env-3f2a9c1b7d40
            """
    )

    @OptionGroup var target: ControlTarget

    func run() async throws { try await target.apply { try await $0.restart($1) } }
}

struct Pause: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Freeze a container's processes; commands are refused until `unpause`.",
        discussion: """
            Examples:
              ptest-iso pause env-3f2a9c1b7d40
            """
    )

    @OptionGroup var target: ControlTarget

    func run() async throws { try await target.apply { try await $0.pause($1) } }
}

struct Unpause: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Thaw a paused container.",
        discussion: """
            Examples:
              ptest-iso unpause env-3f2a9c1b7d40
            """
    )

    @OptionGroup var target: ControlTarget

    func run() async throws { try await target.apply { try await $0.unpause($1) } }
}

/// `ID STATUS`, or the record as JSON.
func report(_ environment: Environment, json: Bool) throws {
    if json { return try printJSON(environment) }
    print("\(environment.id) \(environment.status.rawValue)")
}
