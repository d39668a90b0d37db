import ArgumentParser
import Foundation
import IsolationCore

struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List environments (of every process sharing the state directory).",
        discussion: """
            Examples:
              ptest-iso ls
              ptest-iso ls --session pytest-4c1e2a9b0d11 --json
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "Only this session's environments.")
    var session: String?

    @Flag(help: "Include destroyed environments.")
    var all = false

    func run() async throws {
        let manager = try state.manager()
        let environments = try manager.list(EnvironmentFilter(session: session, liveOnly: !all))
        if output.json {
            return try printJSON(environments)
        }
        if environments.isEmpty {
            print("no environments")
            return
        }
        printTable(
            [["ID", "NAME", "ENGINE", "STATUS", "SESSION", "LOCATION"]]
                + environments.map { [$0.id, $0.spec.name ?? "-", $0.engine.rawValue, $0.status.rawValue, $0.session, $0.location] })
    }
}
