import ArgumentParser
import Foundation
import IsolationCore

struct Install: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Install Python packages into an environment.",
        discussion: """
            The installer's output is passed through; progress goes to stderr. A failed install \
            exits 1 with the installer's output in the error.

            Examples:
              ptest-iso install env-3f2a9c1b7d40 requests==2.32.3 pytest
              ptest-iso install env-3f2a9c1b7d40 -r requirements.txt -c constraints.txt
              ptest-iso install env-3f2a9c1b7d40 mypkg --find-links ./wheels --offline
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var progress: ProgressOptions

    @Argument(help: "The environment's id, id prefix or name.", completion: Completions.environments)
    var id: String

    @Argument(help: "Requirements, as pip takes them.")
    var requirements: [String] = []

    @Option(name: [.customShort("r"), .long], help: "A requirements file; repeat for more.")
    var requirement: [String] = []

    @Option(name: [.customShort("c"), .long], help: "A constraints file; repeat for more.")
    var constraint: [String] = []

    @OptionGroup var sources: PackageSourceOptions

    func validate() throws {
        if requirements.isEmpty && requirement.isEmpty {
            throw ValidationError("give a requirement or a requirements file (-r)")
        }
    }

    func run() async throws {
        let absolute = { (paths: [String]) in paths.map { URL(fileURLWithPath: $0).path } }
        let request = PackageRequest(
            requirements: requirements, requirementFiles: absolute(requirement), constraintFiles: absolute(constraint),
            indexURL: sources.indexURL, findLinks: absolute(sources.findLinks), offline: sources.offline)
        let manager = try await state.manager()
        let id = try await manager.resolveAddress(id)
        let result = try await Progress.showing(manager, "installing into \(id)", quiet: progress.quiet) {
            try await interruptible { [id] in try await manager.install(id, request) }
        }
        if output.json { return try printJSON(result.text) }
        StandardStream.write(result.stdout, to: .standardOutput)
        StandardStream.write(result.stderr, to: .standardError)
    }
}

struct Packages: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the Python packages installed in an environment.",
        discussion: """
            Examples:
              ptest-iso packages env-3f2a9c1b7d40
              ptest-iso packages env-3f2a9c1b7d40 --json
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The environment's id, id prefix or name.", completion: Completions.environments)
    var id: String

    func run() async throws {
        let manager = try await state.manager()
        let packages = try await manager.packages(manager.resolveAddress(id))
        if output.json { return try printJSON(packages) }
        if packages.isEmpty { return print("no packages") }
        printTable([["NAME", "VERSION"]] + packages.map { [$0.name, $0.version] })
    }
}
