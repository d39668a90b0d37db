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
              ptest-iso ls --engine docker --status ready --label team=qa
              ptest-iso ls --reused

            REUSE shows the reuse key (its first 12 characters) of an environment shared across \
            runs (`reuse`), `-` for the others.
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "Only this session's environments.")
    var session: String?

    @Option(help: "Only environments of this engine (virtualenv, docker).")
    var engine: String?

    @Option(name: .customLong("status"), help: "Only environments in this status (repeatable).")
    var statuses: [String] = []

    @Option(name: .customLong("label"), help: "Only environments with this KEY=VALUE label (repeatable).")
    var labels: [String] = []

    @Flag(help: "Include destroyed environments.")
    var all = false

    @Flag(help: "Only environments reused across runs (the session ptest-iso.reuse).")
    var reused = false

    func validate() throws {
        if reused, session != nil {
            throw ValidationError(
                "--reused and --session conflict; reused environments belong to the session \(ResourceLabels.reuseSession)")
        }
        _ = try parsed()
    }

    private func parsed() throws -> EnvironmentFilter {
        // The engines are the manager's (checked in `run`): later ones (hosts, Kubernetes) are named by it.
        let kind = engine.map(EngineKind.init(rawValue:))
        let wanted = try statuses.map { name in
            guard let status = EnvironmentStatus(rawValue: name) else {
                throw ValidationError(
                    "--status '\(name)': choose one of \(EnvironmentStatus.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return status
        }
        return EnvironmentFilter(
            engine: kind, statuses: wanted.isEmpty ? nil : wanted, session: reused ? ResourceLabels.reuseSession : session,
            labels: try parseVariables(labels, option: "--label"), liveOnly: !all && !wanted.contains(.destroyed))
    }

    func run() async throws {
        let manager = try state.manager()
        let filter = try parsed()
        let known = manager.registry.engines.map(\.kind.rawValue)
        if let engine, !known.contains(engine) {
            throw ValidationError("--engine '\(engine)': choose one of \(known.joined(separator: ", "))")
        }
        let environments = try manager.list(filter)
        if output.json {
            return try printJSON(environments)
        }
        if environments.isEmpty {
            print("no environments")
            return
        }
        printTable(
            [["ID", "NAME", "ENGINE", "STATUS", "SESSION", "REUSE", "LOCATION"]]
                + environments.map {
                    [
                        $0.id, $0.spec.name ?? "-", $0.engine.rawValue, $0.status.rawValue, $0.session,
                        $0.labels[ResourceLabels.reuse].map { String($0.prefix(12)) } ?? "-", $0.location,
                    ]
                })
    }
}
