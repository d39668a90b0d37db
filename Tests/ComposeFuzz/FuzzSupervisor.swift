import Foundation

/// The parent process: runs a worker child, reads its progress, and turns a child that dies
/// (a crash) or that is silent past the per-input bound (a hang) into a saved input, then
/// starts a new worker at the next input.
struct FuzzSupervisor {
    struct Summary {
        var inputs: UInt64 = 0
        var loaded: UInt64 = 0
        var refused: UInt64 = 0
        var findings: [String] = []
    }

    let mutator: ComposeMutator
    let seed: UInt64
    let perInput: Duration
    let findings: URL
    /// How the worker is started: this executable with the worker's arguments.
    let workerCommand: (_ first: UInt64, _ deadline: Duration) -> [String]

    func run(for duration: Duration) throws -> Summary {
        var summary = Summary()
        let deadline = ContinuousClock.now + duration
        var next: UInt64 = 0
        while ContinuousClock.now < deadline {
            let outcome = try runWorker(from: next, for: deadline - ContinuousClock.now, summary: &summary)
            guard let (index, kind) = outcome else { break }
            summary.findings.append(try save(index: index, kind: kind))
            next = index + 1
        }
        return summary
    }

    /// One worker's life: nil when it ran to the deadline, else the input it failed on.
    private func runWorker(from first: UInt64, for remaining: Duration, summary: inout Summary) throws -> (UInt64, String)? {
        let process = Process()
        let command = workerCommand(first, remaining)
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        // A crash should end the worker at once: the runtime's backtracer can take minutes to
        // symbolicate a debug build on a loaded machine, and the input is known already.
        process.environment = ProcessInfo.processInfo.environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let descriptor = pipe.fileHandleForReading.fileDescriptor
        var pending = Data()
        var current: UInt64? = nil
        var last = first
        var failure: (UInt64, String)? = nil
        var buffer = [UInt8](repeating: 0, count: 65536)
        let counted = summary.inputs
        reading: while true {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            // A worker's start (copying the corpus) is not an input: it gets a minute.
            let bound = current == nil && last == first && summary.inputs == counted ? max(perInput, .seconds(60)) : perInput
            let ready = poll(&poller, 1, Int32(bound / .milliseconds(1)))
            if ready == 0 {
                // Silent past the bound: the input in progress (or the next one) hangs.
                kill(process.processIdentifier, SIGKILL)
                failure = (current ?? last + 1, "hang")
                break
            }
            if ready < 0 {
                if errno == EINTR { continue }
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            pending.append(contentsOf: buffer[0..<count])
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                let fields = line.split(separator: " ", maxSplits: 2)
                guard fields.count >= 2, let index = UInt64(fields[1]) else { continue }
                switch fields[0] {
                case ">":
                    current = index
                case "<":
                    current = nil
                    last = index
                    summary.inputs += 1
                    if fields.count > 2, fields[2] == "loaded" { summary.loaded += 1 } else { summary.refused += 1 }
                case "!":
                    current = nil
                    last = index
                    summary.inputs += 1
                    failure = (index, "error")
                    FileHandle.standardError.write(Data("compose-fuzz: input \(index): not an IsolationError: \(line)\n".utf8))
                    kill(process.processIdentifier, SIGKILL)
                    break reading
                default:
                    continue
                }
            }
        }
        process.waitUntilExit()
        if let failure { return failure }
        if let current {
            // Died inside an input: a crash.
            summary.inputs += 1
            let how = process.terminationReason == .uncaughtSignal ? "signal" : "exit status"
            FileHandle.standardError.write(
                Data("compose-fuzz: input \(current) crashed the loader (\(how) \(process.terminationStatus))\n".utf8))
            return (current, "crash")
        }
        if process.terminationStatus != 0 {
            throw POSIXError(
                .ECHILD, userInfo: [NSLocalizedDescriptionKey: "the worker exited with \(process.terminationStatus) between inputs"])
        }
        return nil
    }

    /// Saves input `index` (regenerated from the seed) as `KIND-SEED-INDEX-PROJECT-FILE`.
    private func save(index: UInt64, kind: String) throws -> String {
        let (source, text) = mutator.input(seed: seed, index: index)
        let origin = mutator.sources[source]
        try FileManager.default.createDirectory(at: findings, withIntermediateDirectories: true)
        let url = findings.appendingPathComponent("\(kind)-\(seed)-\(index)-\(origin.project)-\(origin.file)")
        try Data(text.utf8).write(to: url)
        FileHandle.standardError.write(Data("compose-fuzz: saved \(kind) input \(index) as \(url.path)\n".utf8))
        return url.path
    }
}
