import BenchSupport
import Foundation

/// The two methods' samples and how they compare with the issue's target.
struct ManagerExecReport: Sendable {
    /// Issue 10: an exec through the manager within 1.05× of one through a kept client.
    static let target = 1.05

    var daemon: String
    var iterations: Int
    var warmup: Int
    var manager: [Duration]
    var client: [Duration]

    var ratio: Double { Statistics(manager).medianMs / Statistics(client).medianMs }

    /// The median of the per-round differences: both methods ran in the same round, on the same daemon conditions.
    var pairedDifferenceMs: Double {
        Statistics.median(zip(manager, client).map { $0.milliseconds - $1.milliseconds }.sorted())
    }

    var table: String {
        let rows =
            [["method", "median ms", "p90 ms", "min ms", "max ms"]]
            + [("IsolationManager.run", manager), ("kept DockerClient", client)].map { name, samples in
                let statistics = Statistics(samples)
                return [name] + [statistics.medianMs, statistics.p90Ms, statistics.minMs, statistics.maxMs].map(Self.format)
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
                "per-round difference (manager − client), median: \(Self.format(pairedDifferenceMs)) ms",
                "\(verdict)  manager/client \(String(format: "%.3f", ratio))× (target ≤ \(Self.target)×)",
            ]).joined(separator: "\n")
    }

    private static func format(_ milliseconds: Double) -> String {
        String(format: "%.2f", milliseconds)
    }
}
