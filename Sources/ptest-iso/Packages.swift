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

    @Argument(help: "The environment's id.")
    var id: String

    @Argument(help: "Requirements, as pip takes them.")
    var requirements: [String] = []

    @Option(name: [.customShort("r"), .long], help: "A requirements file; repeat for more.")
    var requirement: [String] = []

    @Option(name: [.customShort("c"), .long], help: "A constraints file; repeat for more.")
    var constraint: [String] = []

    @Option(help: "A package index to use instead of the default one.")
    var indexURL: String?

    @Option(help: "A directory of wheels to install from; repeat for more.")
    var findLinks: [String] = []

    @Flag(help: "Never reach a package index: install only from --find-links.")
    var offline = false

    func validate() throws {
        if requirements.isEmpty && requirement.isEmpty {
            throw ValidationError("give a requirement or a requirements file (-r)")
        }
    }

    func run() async throws {
        let absolute = { (paths: [String]) in paths.map { URL(fileURLWithPath: $0).path } }
        let request = PackageRequest(
            requirements: requirements, requirementFiles: absolute(requirement), constraintFiles: absolute(constraint),
            indexURL: indexURL, findLinks: absolute(findLinks), offline: offline)
        let manager = try state.manager()
        let result = try await Progress.showing(manager, "installing into \(id)") {
            try await interruptible { [id] in try await manager.install(id, request) }
        }
        if output.json { return try printJSON(RunOutput(result)) }
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

    @Argument(help: "The environment's id.")
    var id: String

    func run() async throws {
        let packages = try await state.manager().packages(id)
        if output.json { return try printJSON(packages) }
        if packages.isEmpty { return print("no packages") }
        printTable([["NAME", "VERSION"]] + packages.map { [$0.name, $0.version] })
    }
}
