import ArgumentParser
import Foundation

/// A bounded mutation fuzzer for ``ComposeLoader``: mutations of `Tests/ComposeCorpus` are
/// loaded in a child process, one after the other, for `--seconds`. A crash or an input
/// taking longer than `--per-input-seconds` is saved under `--findings` and makes the run
/// fail; so does an error that is not an `IsolationError`. Run by `scripts/fuzz-compose.sh`.
///
/// The seeded counterpart of `FuzzTesting` (libFuzzer): it needs no instrumented build, so
/// `test.sh` runs it with the debug build it has made (docs/compose.md, "Fuzzing the loader").
@main
struct ComposeFuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compose-fuzz", abstract: "Fuzz the compose loader with mutations of the corpus.")

    @Option(help: "How long to run, in seconds.") var seconds: Int = 600
    @Option(help: "The longest one input may take, in seconds.") var perInputSeconds: Int = 10
    @Option(help: "The run's seed: with an input's index, it decides the input.") var seed: UInt64 = 1
    @Option(help: "The corpus: one folder per project, each with a compose.yaml.") var corpus: String = "Tests/ComposeCorpus"
    @Option(help: "Where crashing and hanging inputs are saved.") var findings: String = ".build/compose-fuzz/findings"
    @Option(help: "Scratch space: a copy of the corpus the inputs are written into.") var work: String?
    @Option(help: "Print input N of the seed's run and exit.") var print: UInt64?
    @Option(help: "Load input N of the seed's run in this process and exit.") var replay: UInt64?
    @Option(help: .hidden) var worker: UInt64?
    @Option(help: .hidden) var injectFault: String?

    func run() throws {
        let corpusURL = URL(fileURLWithPath: corpus)
        let projects = try FileManager.default.contentsOfDirectory(atPath: corpus).sorted()
            .filter { FileManager.default.fileExists(atPath: corpusURL.appendingPathComponent("\($0)/compose.yaml").path) }
        let sources = try projects.flatMap { project in
            try ["compose.yaml", "compose.override.yaml"].compactMap { file -> (String, String, String)? in
                let url = corpusURL.appendingPathComponent("\(project)/\(file)")
                guard FileManager.default.fileExists(atPath: url.path) else { return nil }
                return (project, file, try String(contentsOf: url, encoding: .utf8))
            }
        }
        guard !sources.isEmpty else { throw ValidationError("no compose.yaml under \(corpus)") }
        let mutator = ComposeMutator(sources: sources.map { (project: $0.0, file: $0.1, text: $0.2) })
        if let print {
            Swift.print(mutator.input(seed: seed, index: print).text)
            return
        }
        let workURL = URL(fileURLWithPath: work ?? NSTemporaryDirectory() + "compose-fuzz-\(getpid())")
        if let index = worker ?? replay {
            try FuzzWorker.prepare(corpus: corpusURL, work: workURL, projects: projects)
            let deadline = ContinuousClock.now + .seconds(seconds)
            var fuzzWorker = FuzzWorker(mutator: mutator, work: workURL, seed: seed)
            if let injectFault, let at = injectFault.firstIndex(of: "@"),
                let faultIndex = UInt64(injectFault[injectFault.index(after: at)...])
            {
                fuzzWorker.fault = (String(injectFault[..<at]), faultIndex)
            }
            try fuzzWorker.run(from: index, until: deadline, once: replay != nil)
            return
        }
        defer { try? FileManager.default.removeItem(at: workURL) }
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        let supervisor = FuzzSupervisor(
            mutator: mutator, seed: seed, perInput: .seconds(perInputSeconds), findings: URL(fileURLWithPath: findings),
            workerCommand: { first, remaining in
                [
                    executable, "--worker", String(first), "--seconds", String(max(1, remaining.components.seconds)),
                    "--seed", String(seed), "--corpus", corpus, "--work", workURL.path,
                ] + (injectFault.map { ["--inject-fault", $0] } ?? [])
            })
        let start = ContinuousClock.now
        let summary = try supervisor.run(for: .seconds(seconds))
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        Swift.print(
            "compose-fuzz: \(summary.inputs) inputs in \(String(format: "%.1f", seconds)) s "
                + "(\(String(format: "%.0f", Double(summary.inputs) / max(seconds, 0.001))) inputs/s), seed \(seed), "
                + "\(summary.loaded) loaded, \(summary.refused) refused, \(summary.findings.count) findings")
        for finding in summary.findings { Swift.print("  finding: \(finding)") }
        if !summary.findings.isEmpty { throw ExitCode.failure }
    }
}
