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

    @Flag(name: .shortAndLong, help: "Print only the ids (full ids, one a line).")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "table, json, or a template such as '{{.ID}}\\t{{.Status}}' ('table ' before it aligns columns under a header).",
            discussion: "Fields: \(EnvironmentRow.fields.map { ".\($0)" }.joined(separator: ", ")), and .Label \"KEY\".",
            valueName: "format"))
    var format: String?

    @Flag(help: "Do not shorten ids or long cells.")
    var noTrunc = false

    func validate() throws {
        if reused, session != nil {
            throw ValidationError(
                "--reused and --session conflict; reused environments belong to the session \(ResourceLabels.reuseSession)")
        }
        _ = try parsed()
        _ = try chosenFormat()
    }

    /// --format, --json and -q are three ways to say what to print: one at a time.
    private func chosenFormat() throws -> OutputFormat {
        if quiet, format != nil || output.json { throw ValidationError("-q/--quiet conflicts with --format and --json") }
        guard let format else { return output.json ? .json : .table }
        let chosen = try OutputFormat(format, fields: EnvironmentRow.fields)
        if output.json, chosen != .json { throw ValidationError("--json conflicts with --format \(format)") }
        return chosen
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
        let filter = try parsed()
        let environments: [Environment]
        if let remote = try await state.withRemote({ try await Self.list(filter, on: $0) }) {
            environments = remote
        } else {
            environments = try await localList(filter)
        }
        if quiet { return environments.forEach { print($0.id) } }
        switch try chosenFormat() {
        case .json: try printJSON(environments)
        case .template(let template):
            template.print(environments.map { (EnvironmentRow($0).fields, $0.labels) })
        case .table:
            if environments.isEmpty { return print("no environments") }
            let withHost = environments.contains { !EnvironmentRow($0).host.isEmpty }
            let rows = environments.flatMap {
                [EnvironmentRow($0).cells(truncated: !noTrunc, withHost: withHost)]
                    + Self.serviceRows(of: $0, truncated: !noTrunc, withHost: withHost)
            }
            printTable([withHost ? EnvironmentRow.headerWithHost : EnvironmentRow.header] + rows) { column, cell in
                column == EnvironmentRow.statusColumn ? Palette.current.status(cell) : cell
            }
        }
    }

    private func localList(_ filter: EnvironmentFilter) async throws -> [Environment] {
        let manager = try await state.manager()
        let known = manager.registry.engines.map(\.kind.rawValue)
        if let engine, !known.contains(engine) {
            throw ValidationError("--engine '\(engine)': choose one of \(known.joined(separator: ", "))")
        }
        return try await manager.list(filter)
    }

    /// The owner's environments on a server, by the same filter.
    static func list(_ filter: EnvironmentFilter, on server: RemoteServer) async throws -> [Environment] {
        var request: [String: Any] = ["live_only": filter.liveOnly]
        if let engine = filter.engine { request["engine"] = engine.rawValue }
        if let statuses = filter.statuses { request["statuses"] = statuses.map(\.rawValue) }
        if let session = filter.session { request["session"] = session }
        if !filter.labels.isEmpty { request["labels"] = filter.labels }
        return try await server.call("list", request, as: RemoteServer.Listing.self).environments
    }

    static func sharing(of environment: Environment) -> String {
        if let key = environment.labels[ResourceLabels.reuse] { return "reuse \(key.prefix(12))" }
        if let key = environment.labels[ResourceLabels.shared] { return "session \(key.prefix(12))" }
        return "-"
    }

    /// A compose stack's services, in start order: each one's published ports and container.
    static func serviceRows(of environment: Environment, truncated: Bool, withHost: Bool = false) -> [[String]] {
        guard environment.status.isLive, let listed = environment.details["compose.services"], !listed.isEmpty else { return [] }
        return listed.split(separator: ",").map { service in
            let container = environment.details["container.\(service)"].map { truncated ? String($0.prefix(12)) : $0 } ?? "-"
            let main = environment.details["compose.main"] == String(service) ? " (main)" : ""
            let ports = EnvironmentRow.ports(environment.details, prefix: "port.\(service).")
            var row = Array(repeating: "", count: (withHost ? EnvironmentRow.headerWithHost : EnvironmentRow.header).count)
            row[0] = "  └ \(service)\(main)"
            row[2] = "service"
            row[EnvironmentRow.portsColumn] = ports
            row[row.count - 1] = container
            return row
        }
    }
}
