import Foundation
import IsolationCore

/// The child process: loads inputs one after the other and reports each on stdout, so the
/// supervisor sees which input a crash or a hang happened on.
///
/// Protocol, one line each: `> INDEX` before an input is loaded (its text is in
/// `WORK/PROJECT/FILE` by then), `< INDEX loaded|refused` after it, `! INDEX MESSAGE` when the
/// loader threw something other than an `IsolationError` (a finding too).
struct FuzzWorker {
    let mutator: ComposeMutator
    let work: URL
    let seed: UInt64
    /// A fault to act out at one input instead of loading it (`crash@N`, `hang@N`, `error@N`),
    /// so a test can prove the supervisor catches each.
    var fault: (kind: String, index: UInt64)? = nil

    /// Copies every corpus project into `work`, so each input is loaded beside its project's
    /// `.env`, env files and override file, as the real file would be.
    static func prepare(corpus: URL, work: URL, projects: [String]) throws {
        for project in projects {
            let target = work.appendingPathComponent(project)
            try? FileManager.default.removeItem(at: target)
            try FileManager.default.copyItem(at: corpus.appendingPathComponent(project), to: target)
        }
    }

    /// Runs inputs from `first` until `deadline`, or only `first` when `once`.
    func run(from first: UInt64, until deadline: ContinuousClock.Instant, once: Bool) throws {
        var index = first
        while once ? index == first : ContinuousClock.now < deadline {
            let (source, text) = mutator.input(seed: seed, index: index)
            let origin = mutator.sources[source]
            let folder = work.appendingPathComponent(origin.project)
            let path = folder.appendingPathComponent(origin.file).path
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            report("> \(index)")
            let files = ["compose.yaml", "compose.override.yaml"].map { folder.appendingPathComponent($0).path }
                .filter { FileManager.default.fileExists(atPath: $0) }
            do {
                if let fault, fault.index == index { try act(fault.kind) }
                _ = try ComposeLoader.load(files: files, environment: ["HOME": "/home/ci", "GIT_SHA": "abc"], profiles: ["*"])
                report("< \(index) loaded")
            } catch is IsolationError {
                report("< \(index) refused")
            } catch {
                report("! \(index) \(String(describing: error).replacingOccurrences(of: "\n", with: " "))")
            }
            // The next input starts from the corpus file again.
            try Data(origin.text.utf8).write(to: URL(fileURLWithPath: path))
            index += 1
        }
    }

    private struct InjectedError: Error {}

    private func act(_ fault: String) throws {
        switch fault {
        case "crash": fatalError("compose-fuzz: injected crash")
        // A hang as the supervisor sees one: no progress, for longer than any bound.
        case "hang": while true { pause() }
        default: throw InjectedError()
        }
    }

    private func report(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
