import BenchSupport
import Foundation

extension BenchReport {
    /// The plain-text summary printed at the end of a run.
    var table: String {
        let load = loadAverage.map { String(format: "%.1f", $0) }.joined(separator: " → ")
        var lines = [
            "venv-bench: a venv with 3 small wheels from a warm cache; \(processors) CPUs, load \(load)",
            "python \(tools.pythonVersion) (\(tools.python)), pip \(tools.pipVersion), \(tools.uvVersion), virtualenv \(tools.virtualenvVersion)",
            "engine interpreter \(engineInterpreter); work directory \(workdir) (\(filesystem))",
            "\(iterations) iterations, methods interleaved round-robin",
            "",
        ]
        var rows = [["scenario", "n", "median ms", "p90 ms", "vs uv", "stages (median ms)"]]
        for result in scenarios {
            let stages = result.stages.map { "\($0.name) \(ms($0.medianMs))" }.joined(separator: " + ")
            rows.append([
                result.scenario.rawValue, "\(result.samplesMs.count)", ms(result.statistics.medianMs), ms(result.statistics.p90Ms),
                result.scenario == .uv ? "baseline" : speedup(result.speedupOverUV ?? .nan), stages,
            ])
        }
        lines += renderTable(rows, rightAligned: 1...3)
        if !warmupMs.isEmpty {
            let order = Scenario.allCases.compactMap { scenario in warmupMs[scenario.rawValue].map { "\(scenario.rawValue) \(ms($0))" } }
            lines.append("")
            lines.append("untimed warm-up runs (ms): " + order.joined(separator: ", "))
        }
        lines.append("")
        lines.append(
            "\(verdict(createMeetsTarget))  ptest-iso create from a warm template: "
                + (createSpeedup.map { "\(speedup($0)) than uv" } ?? "not compared (uv or the engine not timed)")
                + " (target ≥ \(String(format: "%.0f", minSpeedupOverUV))× faster)")
        lines.append(
            "\(verdict(restoreMeetsTarget))  snapshot restore: "
                + (restoreMedianMs.map { "median \(ms($0)) ms" } ?? "not timed") + " (target < \(String(format: "%.0f", maxRestoreMs)) ms)")
        return lines.joined(separator: "\n")
    }

    /// SKIP when a scenario the target needs was not timed (`--scenario`).
    private func verdict(_ met: Bool?) -> String {
        met.map { $0 ? "PASS" : "MISS" } ?? "SKIP"
    }

    private func ms(_ value: Double) -> String { String(format: value < 10 ? "%.2f" : "%.1f", value) }

    /// `uv / x` as "7.3× faster", or "2.1× slower" below 1.
    private func speedup(_ ratio: Double) -> String {
        guard ratio.isFinite else { return "n/a" }
        return ratio >= 1 ? String(format: "%.1f× faster", ratio) : String(format: "%.1f× slower", 1 / ratio)
    }

}
