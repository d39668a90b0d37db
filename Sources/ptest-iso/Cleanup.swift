import ArgumentParser
import Foundation
import IsolationCore

struct Cleanup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove what test runs left behind: containers, networks, volumes and venvs.",
        discussion: """
            Finds leftovers from the state database, from Docker labels and from the venv \
            directories' metadata files, so it works even when the database is gone.

            Examples:
              ptest-iso cleanup --session pytest-4c1e2a9b0d11
              ptest-iso cleanup --expired --dry-run
              ptest-iso cleanup --all --json
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "Remove everything of this session.")
    var session: String?

    @Flag(help: "Remove everything whose TTL has passed (environments kept for debugging stay).")
    var expired = false

    @Flag(help: "Remove everything ptest-isolation ever made, snapshot images included.")
    var all = false

    @Flag(help: "List what would be removed, remove nothing.")
    var dryRun = false

    func validate() throws {
        let chosen = [session != nil, expired, all].filter { $0 }.count
        guard chosen == 1 else {
            throw ValidationError("choose exactly one of --session, --expired or --all")
        }
    }

    func run() async throws {
        let scope: CleanupScope = session.map { .session($0) } ?? (expired ? .expired : .everything)
        let report = try await state.manager().cleanup(scope, dryRun: dryRun)
        if output.json {
            return try printJSON(report)
        }
        let verb = dryRun ? "would remove" : "removed"
        let parts: [(String, [String])] = [
            ("environments", report.environments), ("containers", report.containers), ("networks", report.networks),
            ("volumes", report.volumes), ("images", report.images), ("directories", report.directories),
            ("snapshots", report.snapshots),
        ]
        for (kind, items) in parts where !items.isEmpty {
            print("\(verb) \(items.count) \(kind):")
            for item in items { print("  \(item)") }
        }
        if report.isEmpty { print("nothing to remove") }
        for reason in report.skipped { print("skipped \(reason)") }
    }
}
