import BenchSupport
import Foundation

/// Every method's samples and how the manager compares with the issue's target.
struct ManagerExecReport: Sendable {
    /// Issue 10: an exec through the manager within 1.05× of one through a kept client.
    static let target = 1.05

    var daemon: String
    var iterations: Int
    var warmup: Int
    var samples: [ManagerExecBench.Method: [Duration]]

    private var client: [Duration] { samples[.keptClient] ?? [] }

    /// The issue's ratio: the median of the manager's execs over the kept client's.
    var ratio: Double { Statistics(samples[.manager] ?? []).medianMs / Statistics(client).medianMs }

    /// The median of the per-round differences to the kept client: both ran in the same round, on the same daemon conditions.
    func pairedDifferenceMs(_ method: ManagerExecBench.Method) -> Double {
        Statistics.median(zip(samples[method] ?? [], client).map { $0.milliseconds - $1.milliseconds }.sorted())
    }

    var table: String {
        let rows =
            [["method", "median ms", "p90 ms", "min ms", "max ms", "minus kept client (paired median)"]]
            + ManagerExecBench.Method.allCases.map { method in
                let statistics = Statistics(samples[method] ?? [])
                let difference = method == .keptClient ? "" : Self.format(pairedDifferenceMs(method))
                return [method.name]
                    + [statistics.medianMs, statistics.p90Ms, statistics.minMs, statistics.maxMs].map(Self.format) + [difference]
            }
        let verdict = ratio <= Self.target ? "PASS" : "MISS"
        return
            ([
                "manager-exec-bench: daemon \(daemon), \(ProcessInfo.processInfo.activeProcessorCount) CPUs",
                "\(iterations) measured iterations per method after \(warmup) warm-up, methods interleaved",
                "",
            ]
            + renderTable(rows, rightAligned: 1...)
            + [
                "",
                "\(verdict)  manager/kept client \(String(format: "%.3f", ratio))× (target ≤ \(Self.target)×)",
            ]).joined(separator: "\n")
    }

    private static func format(_ milliseconds: Double) -> String {
        String(format: "%.2f", milliseconds)
    }
}
