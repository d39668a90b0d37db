import ArgumentParser
import IsolationCore

struct Engines: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the engines, whether each can be used here, and what each provides.",
        discussion: """
            A spec that names no engine gets the available engine of highest priority that has \
            every capability it needs. `doctor` checks the Docker daemon in more detail.

            Examples:
              ptest-iso engines
              ptest-iso engines --json
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let engines = try await state.manager().engines()
        if output.json {
            return try printJSON(engines)
        }
        let capabilities: (EngineInfo) -> String = { info in
            (info.capabilities.map(\.rawValue) + (info.observable ? ["logs", "stats"] : [])).joined(separator: ",")
        }
        printTable(
            [["ENGINE", "PRIORITY", "STATUS", "CAPABILITIES"]]
                + engines.map { [$0.kind.rawValue, String($0.priority), $0.available ? "available" : "unavailable", capabilities($0)] })
        for engine in engines {
            if let reason = engine.unavailableReason { print("\(engine.kind): \(reason)") }
        }
    }
}
