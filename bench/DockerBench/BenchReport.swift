import BenchSupport
import Foundation

/// The targets from the "Foundation" issue, section 5.
enum Targets {
    /// DockerAPI's median at most this multiple of the floor's.
    static let maxRatioToFloor = 1.15
    /// DockerAPI's median below the CLI's.
    static let maxRatioToCLI = 1.0
}

/// Everything one run measured; what `--json` writes.
struct BenchReport: Sendable, Codable {
    struct Daemon: Sendable, Codable {
        var endpoint: String
        var serverVersion: String
        var apiVersion: String
    }

    struct MethodResult: Sendable, Codable {
        var method: Method
        var statistics: Statistics
        var samplesMs: [Double]
    }

    struct ScenarioResult: Sendable, Codable {
        var scenario: Scenario
        var methods: [MethodResult]
        /// Median DockerAPI / median CLI.
        var ratioToCLI: Double
        /// Median DockerAPI / median floor.
        var ratioToFloor: Double
        var fasterThanCLI: Bool
        var withinFloorTarget: Bool
        /// Median DockerAPI / median raw keep-alive, with `--reference`: what the library itself costs.
        var ratioToReference: Double?
        /// Exec only, for the methods that count inspects (floor, reference): iterations whose
        /// first `GET /exec/{id}/json` still showed the exec running, so it had to ask again.
        var repeatedInspects: [String: Int]

        init(scenario: Scenario, samples: [Method: [Duration]], repeatedInspects: [Method: Int]) {
            self.scenario = scenario
            let methods = Method.allCases.compactMap { method in
                samples[method].map { MethodResult(method: method, statistics: Statistics($0), samplesMs: $0.map(\.milliseconds)) }
            }
            func median(_ method: Method) -> Double {
                methods.first { $0.method == method }?.statistics.medianMs ?? .nan
            }
            self.methods = methods
            ratioToCLI = median(.dockerAPI) / median(.cli)
            ratioToFloor = median(.dockerAPI) / median(.floor)
            fasterThanCLI = ratioToCLI < Targets.maxRatioToCLI
            withinFloorTarget = ratioToFloor <= Targets.maxRatioToFloor
            ratioToReference = samples[.reference] == nil ? nil : median(.dockerAPI) / median(.reference)
            self.repeatedInspects = Dictionary(uniqueKeysWithValues: repeatedInspects.map { ($0.key.rawValue, $0.value) })
        }
    }

    var date: Date
    var host: String
    var processors: Int
    var daemon: Daemon
    var iterations: Int
    var warmup: Int
    var maxRatioToFloor = Targets.maxRatioToFloor
    var scenarios: [ScenarioResult]

    var allTargetsMet: Bool { scenarios.allSatisfy { $0.fasterThanCLI && $0.withinFloorTarget } }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try encoder.encode(self).write(to: url, options: .atomic)
    }
}
