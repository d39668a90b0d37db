import ArgumentParser
import Foundation
import IsolationCore

struct Uninstall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Uninstall Python packages from an environment.",
        discussion: """
            The installer's output is passed through.

            Examples:
              ptest-iso uninstall env-3f2a9c1b7d40 requests
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The environment's id, id prefix or name.", completion: Completions.environments)
    var id: String

    @Argument(help: "Distribution names to remove.")
    var names: [String] = []

    func validate() throws {
        if names.isEmpty { throw ValidationError("give the name of a package to uninstall") }
    }

    func run() async throws {
        let manager = try await state.manager()
        let id = try await manager.resolveAddress(id)
        let result = try await interruptible { [id, names] in try await manager.uninstall(id, names) }
        if output.json { return try printJSON(result.text) }
        StandardStream.write(result.stdout, to: .standardOutput)
        StandardStream.write(result.stderr, to: .standardError)
    }
}
