import Foundation
import Testing

/// The compose fuzzer's supervisor (`Tests/ComposeFuzz`): a worker that crashes, hangs or
/// throws something other than an `IsolationError` at an input is caught, the input saved, and
/// the run fails; a clean run passes.
struct ComposeFuzzTests {
    static let tool = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("ComposeFuzz").path

    /// Runs the fuzzer on the corpus and returns its exit status and the findings it saved.
    func fuzz(_ arguments: [String]) throws -> (status: Int32, findings: [String], output: String) {
        let findings = NSTemporaryDirectory() + "compose-fuzz-findings-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: findings) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.tool)
        process.arguments = ["--corpus", ComposeCorpusTests.corpus.path, "--findings", findings] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let saved = (try? FileManager.default.contentsOfDirectory(atPath: findings)) ?? []
        return (process.terminationStatus, saved.sorted(), text)
    }

    @Test(arguments: ["crash", "hang", "error"])
    func aFaultyInputIsSavedAndFailsTheRun(fault: String) throws {
        // Given a worker that acts out a fault at input 3, when the fuzzer runs briefly, then the
        // run fails and input 3 is saved under the fault's name.
        let run = try fuzz(["--seconds", "2", "--per-input-seconds", "3", "--seed", "7", "--inject-fault", "\(fault)@3"])
        #expect(run.status != 0)
        #expect(run.findings.count == 1 && run.findings[0].hasPrefix("\(fault)-7-3-"), "\(run.findings)")
        #expect(run.output.contains("1 findings"), "\(run.output)")
    }

    @Test func aCleanRunReportsItsRateAndPasses() throws {
        let run = try fuzz(["--seconds", "1", "--seed", "7"])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.findings.isEmpty)
        #expect(run.output.contains("inputs/s), seed 7"), "\(run.output)")
    }
}
