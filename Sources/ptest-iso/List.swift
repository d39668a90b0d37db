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

            SHARED shows how an environment is shared: `reuse` and its key (first 12 characters) \
            across runs, `session` and its key within its session (a session-scoped compose stack \
            of an xdist run), `-` for the others. A compose stack is followed by a line per \
            service: its container and published ports (`ptest-iso logs ID --service NAME`, \
            `ptest-iso run ID/NAME -- CMD` reach one).
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
            [["ID", "NAME", "ENGINE", "STATUS", "SESSION", "SHARED", "LOCATION"]]
                + environments.flatMap { environment in
                    [
                        [
                            environment.id, environment.spec.name ?? "-", environment.engine.rawValue, environment.status.rawValue,
                            environment.session, Self.sharing(of: environment), environment.location,
                        ]
                    ] + Self.serviceRows(of: environment)
                })
    }

    static func sharing(of environment: Environment) -> String {
        if let key = environment.labels[ResourceLabels.reuse] { return "reuse \(key.prefix(12))" }
        if let key = environment.labels[ResourceLabels.shared] { return "session \(key.prefix(12))" }
        return "-"
    }

    /// A compose stack's services, in start order: each one's container and published ports.
    static func serviceRows(of environment: Environment) -> [[String]] {
        guard environment.status.isLive, let listed = environment.details["compose.services"], !listed.isEmpty else { return [] }
        return listed.split(separator: ",").map { service in
            let container = environment.details["container.\(service)"].map { String($0.prefix(12)) } ?? "-"
            let prefix = "port.\(service)."
            let ports = environment.details.filter { $0.key.hasPrefix(prefix) }
                .compactMap { key, host in Int(key.dropFirst(prefix.count)).map { ($0, host) } }
                .sorted { $0.0 < $1.0 }
                .map { "\($0.0)->\($0.1)" }
            let published = ports.isEmpty ? "" : "  ports " + ports.joined(separator: ", ")
            let main = environment.details["compose.main"] == String(service) ? " (main)" : ""
            return ["  └ \(service)\(main)", "", "service", "", "", "", container + published]
        }
    }
}
