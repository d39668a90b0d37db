import ArgumentParser
import Foundation
import IsolationCore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Recreate a virtualenv environment as a Docker environment of an image.",
        discussion: """
            The new environment has the same requirements (installed with the image's Python), \
            variables and labels; the virtualenv stays. Prints the new environment's id.

            Examples:
              ptest-iso migrate env-3f2a9c1b7d40 --image ptest-iso-test/python:bookworm
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var progress: ProgressOptions

    @Argument(help: "The virtualenv environment's id, id prefix or name.", completion: Completions.environments)
    var id: String

    @Option(help: "The image to migrate to; it needs python3.")
    var image: String

    @Option(parsing: .unconditional, help: "Give up after this many seconds.")
    var timeout: Double?

    func validate() throws {
        try asValidation { _ = try SchemaLimits.timeout(timeout, field: "--timeout") }
    }

    func run() async throws {
        let manager = try await state.manager()
        let deadline = try SchemaLimits.timeout(timeout, field: "--timeout")
        let id = try await manager.resolve(id).id
        let environment = try await Progress.showing(manager, "migrating \(id)", quiet: progress.quiet) {
            try await interruptible { [id, image] in try await manager.migrate(id, toImage: image, timeout: deadline) }
        }
        if output.json { return try printJSON(environment) }
        print(environment.id)
    }
}
