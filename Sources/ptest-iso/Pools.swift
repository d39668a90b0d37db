import ArgumentParser
import IsolationCore

/// `ptest-iso pools`: the warm pools seen in the state directory. A pool lives in the manager
/// that configured it (a server, a test process), so the CLI reads what its environments
/// record: the pool label, and whether each is waiting or was handed out.
struct Pools: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the warm pools whose environments are in the state directory.",
        discussion: """
            A pool is configured by a long-running manager (`ptest-iso serve`, or Python's \
            Manager.configure_pool) and drained when it closes; this lists the pools of every such \
            manager on this state directory, by their live environments: WAITING ready to be \
            handed out, IN USE handed out and not yet destroyed. `ls` shows a waiting environment \
            with the status `waiting`.

            Examples:
              ptest-iso pools
              ptest-iso pools --json
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    struct Row: Encodable {
        var pool: String
        var engine: String
        var session: String
        var waiting: Int
        var inUse: Int

        enum CodingKeys: String, CodingKey {
            case pool, engine, session, waiting
            case inUse = "in_use"
        }
    }

    func run() async throws {
        let environments = try await state.manager().list(EnvironmentFilter())
        var rows: [String: Row] = [:]
        for environment in environments {
            guard let pool = environment.labels[ResourceLabels.pool] else { continue }
            let key = "\(environment.session)\u{0}\(pool)"
            var row = rows[key] ?? Row(pool: pool, engine: environment.engine.rawValue, session: environment.session, waiting: 0, inUse: 0)
            if environment.waitsInPool { row.waiting += 1 } else { row.inUse += 1 }
            rows[key] = row
        }
        let sorted = rows.values.sorted { ($0.pool, $0.session) < ($1.pool, $1.session) }
        if output.json { return try printJSON(sorted) }
        printTable(
            [["POOL", "ENGINE", "WAITING", "IN USE", "SESSION"]]
                + sorted.map { [$0.pool, $0.engine, String($0.waiting), String($0.inUse), $0.session] })
    }
}
