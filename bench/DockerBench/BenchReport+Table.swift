import BenchSupport
import Foundation

extension BenchReport {
    /// The plain-text summary printed at the end of a run.
    var table: String {
        var lines = [
            "docker-bench: daemon \(daemon.serverVersion) (API \(daemon.apiVersion)) on \(daemon.endpoint), \(processors) CPUs",
            "\(iterations) measured iterations per scenario and method after \(warmup) warm-up, methods interleaved",
            "",
        ]
        var timings = [["scenario", "method", "median ms", "p90 ms", "min ms", "max ms"]]
        for scenario in scenarios {
            for result in scenario.methods {
                let stats = result.statistics
                timings.append([
                    scenario.scenario.rawValue, result.method.rawValue,
                    ms(stats.medianMs), ms(stats.p90Ms), ms(stats.minMs), ms(stats.maxMs),
                ])
            }
        }
        lines += renderTable(timings, rightAligned: 2...)
        lines.append("")
        var ratios = [["scenario", "DockerAPI/CLI", "faster than CLI", "DockerAPI/floor", "≤ \(ratio(maxRatioToFloor))× floor"]]
        for scenario in scenarios {
            ratios.append([
                scenario.scenario.rawValue,
                ratio(scenario.ratioToCLI), scenario.fasterThanCLI ? "PASS" : "MISS",
                ratio(scenario.ratioToFloor), scenario.withinFloorTarget ? "PASS" : "MISS",
            ])
        }
        lines += renderTable(ratios, rightAligned: 1...)
        for scenario in scenarios {
            if let reference = scenario.ratioToReference {
                lines.append("")
                lines.append(
                    "\(scenario.scenario.rawValue): DockerAPI/raw keep-alive \(ratio(reference)) (what the library adds over the daemon's own time)"
                )
            }
            for (method, repeated) in scenario.repeatedInspects.sorted(by: { $0.key < $1.key }) {
                lines.append("")
                lines.append(
                    "\(scenario.scenario.rawValue): \(method)'s first GET /exec/{id}/json still showed the exec running in \(repeated) of \(iterations) iterations"
                )
            }
        }
        return lines.joined(separator: "\n")
    }

    private func ms(_ value: Double) -> String { String(format: "%.1f", value) }
    private func ratio(_ value: Double) -> String { String(format: "%.2f", value) }

}
