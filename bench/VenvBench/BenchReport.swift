import BenchSupport
import Foundation

/// The targets from the issue "IsolationCore", benchmark section.
enum Targets {
    /// The engine's create from a warm template at least this many times faster than uv (median uv / median engine).
    static let minSpeedupOverUV = 5.0
    /// A snapshot restore's median below this many milliseconds.
    static let maxRestoreMs = 20.0
}

/// Everything one run measured; what `--json` writes.
struct BenchReport: Sendable, Codable {
    struct StageResult: Sendable, Codable {
        var name: String
        var medianMs: Double
    }

    struct ScenarioResult: Sendable, Codable {
        var scenario: Scenario
        var summary: String
        var statistics: Statistics
        var samplesMs: [Double]
        var stages: [StageResult]
        /// Median uv / median of this scenario: above 1 is faster than uv. `nil` when uv was not timed.
        var speedupOverUV: Double?
    }

    var date: Date
    var host: String
    var processors: Int
    /// `/proc/loadavg`'s 1-minute figure before and after (where there is one): the machine is shared.
    var loadAverage: [Double]
    var tools: Tools
    /// Where the venvs, the engine's state directory and the caches were, and on what filesystem.
    var workdir: String
    var filesystem: String
    /// The interpreter the engine chose (from the env's details).
    var engineInterpreter: String
    var iterations: Int
    /// How long each method's one untimed warm-up run took (the engine's builds the template).
    var warmupMs: [String: Double]
    var scenarios: [ScenarioResult]
    var minSpeedupOverUV = Targets.minSpeedupOverUV
    var maxRestoreMs = Targets.maxRestoreMs
    /// Median uv / median engine create; `nil` when either was not timed.
    var createSpeedup: Double?
    var createMeetsTarget: Bool?
    var restoreMedianMs: Double?
    var restoreMeetsTarget: Bool?

    init(
        samples: [Scenario: [Sample]], stageNames: [Scenario: [String]], warmups: [Scenario: Duration], tools: Tools,
        workspace: Workspace, engineInterpreter: String, iterations: Int, loadAverage: [Double]
    ) {
        let uvMedian = samples[.uv].map { Statistics($0.map(\.total)).medianMs }
        scenarios = Scenario.allCases.compactMap { scenario in
            guard let runs = samples[scenario], !runs.isEmpty else { return nil }
            let statistics = Statistics(runs.map(\.total))
            let stages = (stageNames[scenario] ?? []).enumerated().map { index, name in
                StageResult(name: name, medianMs: Statistics.median(runs.map { $0.stages[index].milliseconds }.sorted()))
            }
            return ScenarioResult(
                scenario: scenario, summary: scenario.summary, statistics: statistics, samplesMs: runs.map(\.total.milliseconds),
                stages: stages, speedupOverUV: uvMedian.map { $0 / statistics.medianMs })
        }
        date = Date()
        host = ProcessInfo.processInfo.hostName
        processors = ProcessInfo.processInfo.activeProcessorCount
        self.loadAverage = loadAverage
        self.tools = tools
        workdir = workspace.root.deletingLastPathComponent().path
        filesystem = workspace.filesystem
        self.engineInterpreter = engineInterpreter
        self.iterations = iterations
        warmupMs = Dictionary(uniqueKeysWithValues: warmups.filter { $0.value > .zero }.map { ($0.key.rawValue, $0.value.milliseconds) })
        createSpeedup = scenarios.first { $0.scenario == .engine }?.speedupOverUV
        createMeetsTarget = createSpeedup.map { $0 >= Targets.minSpeedupOverUV }
        restoreMedianMs = scenarios.first { $0.scenario == .restore }?.statistics.medianMs
        restoreMeetsTarget = restoreMedianMs.map { $0 < Targets.maxRestoreMs }
    }

    func result(_ scenario: Scenario) -> ScenarioResult? { scenarios.first { $0.scenario == scenario } }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try encoder.encode(self).write(to: url, options: .atomic)
    }

    /// The 1-minute load average; `nil` where `/proc/loadavg` is missing.
    static func currentLoad() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8), let first = text.split(separator: " ").first
        else { return nil }
        return Double(first)
    }
}
