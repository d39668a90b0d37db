import ArgumentParser
import Foundation
import FuzzTargets

#if canImport(Glibc)
    import Glibc
#endif

/// A seeded mutation pass over a fuzz target (`Tests/FuzzTargets`), for an ordinary build:
/// the counterpart of the libFuzzer targets in `FuzzTesting/`, which need an instrumented
/// release build. Each input is a target's seed (or a file of `--corpus`) mutated a few times
/// by a generator seeded with `--seed`; it runs in this process, so a crash, or an input over
/// `--per-input-seconds`, saves the input under `--findings` before the process dies. Run by
/// `scripts/fuzz.sh TARGET SECONDS --mutation`.
@main
struct ByteFuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "byte-fuzz", abstract: "Fuzz a target with seeded mutations of its seeds.")

    @Argument(help: "The target: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")).") var target: String
    @Option(help: "How long to run, in seconds.") var seconds: Int = 60
    @Option(help: "The longest one input may take, in seconds.") var perInputSeconds: Int = 10
    @Option(help: "The run's seed: with an input's index, it decides the input.") var seed: UInt64 = 1
    @Option(help: "More seed inputs: every file in this folder.") var corpus: String?
    @Option(help: "Where a crashing or hanging input is saved.") var findings: String = ".build/fuzz/findings"
    @Option(help: "Run this one input file and exit (a kept finding).") var replay: String?
    @Option(help: "Write the target's seeds into this folder and exit (libFuzzer's starting corpus).") var writeSeeds: String?

    func run() throws {
        guard let target = FuzzTarget(rawValue: target) else {
            throw ValidationError("unknown target '\(self.target)'; one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let writeSeeds {
            try FileManager.default.createDirectory(atPath: writeSeeds, withIntermediateDirectories: true)
            for (index, seed) in target.seeds.enumerated() {
                try seed.write(to: URL(fileURLWithPath: writeSeeds).appendingPathComponent("seed-\(index)"))
            }
            return
        }
        if let replay {
            target.run(try Data(contentsOf: URL(fileURLWithPath: replay)))
            return
        }
        var seeds = target.seeds
        if let corpus {
            let names = try FileManager.default.contentsOfDirectory(atPath: corpus).sorted()
            seeds += try names.map { try Data(contentsOf: URL(fileURLWithPath: corpus).appendingPathComponent($0)) }
        }
        try FileManager.default.createDirectory(atPath: findings, withIntermediateDirectories: true)
        let savePath = "\(findings)/\(target.rawValue)-seed-\(seed)"
        CrashSaver.arm(path: savePath)
        defer { CrashSaver.disarm() }
        let deadline = Date().addingTimeInterval(TimeInterval(seconds))
        var mutator = Mutator(seed: seed, dictionary: target.dictionary)
        var count: UInt64 = 0
        var largest = 0
        while Date() < deadline {
            let input = mutator.mutate(seeds[mutator.next(seeds.count)])
            largest = max(largest, input.count)
            CrashSaver.hold(input, index: count)
            alarm(UInt32(perInputSeconds))
            target.run(input)
            count += 1
        }
        alarm(0)
        print("\(target.rawValue): \(count) inputs in \(seconds) s (seed \(seed), largest \(largest) bytes), no finding")
    }
}
