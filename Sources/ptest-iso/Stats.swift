import ArgumentParser
import Foundation
import IsolationCore

#if canImport(Glibc)
    import Glibc
#endif

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show Docker environments' resource usage, live on a terminal.",
        discussion: """
            Each sample is taken by the daemon over about a second. On a terminal the table is \
            redrawn with each sample until Ctrl-C (exit 130), as `docker stats` does; when stdout \
            is not a terminal (a pipe, a file) one sample is printed, so scripts get an answer \
            and an end. --stream streams anyway (with --json: one JSON object per line per \
            environment and sample); --no-stream prints one sample on a terminal too.

            Virtualenv environments have no stats.

            Examples:
              ptest-iso stats env-3f2a9c1b7d40
              ptest-iso stats env-3f2a9c1b7d40 web --no-stream
              ptest-iso stats env-3f2a9c1b7d40 --json
              ptest-iso stats env-3f2a9c1b7d40 --stream --json
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The environments' ids, id prefixes or names.", completion: Completions.environments)
    var ids: [String]

    @Flag(help: "Print one sample and exit (the default when stdout is not a terminal).")
    var noStream = false

    @Flag(help: "Keep sampling until Ctrl-C, even when stdout is not a terminal.")
    var stream = false

    func validate() throws {
        if ids.isEmpty { throw ValidationError("give at least one environment id") }
        if stream, noStream { throw ValidationError("--stream and --no-stream conflict") }
    }

    func run() async throws {
        let manager = try await state.manager()
        var resolved: [String] = []
        for id in ids { resolved.append(try await manager.resolveAddress(id)) }
        let addresses = resolved
        let streaming = stream || (!noStream && isatty(STDOUT_FILENO) == 1)
        let (json, labelled, redraw) = (output.json, streaming || ids.count > 1, isatty(STDOUT_FILENO) == 1)
        guard streaming else {
            let samples = try await Self.sample(manager, addresses)
            if json {
                return try samples.count == 1 ? printJSON(samples[0]) : printJSON(samples)
            }
            return Self.printSamples(samples, labelled: labelled)
        }
        try await interruptible {
            // Each round takes the daemon's own sampling time (about a second): that is the pace.
            while !Task.isCancelled {
                let samples = try await Self.sample(manager, addresses)
                if json {
                    for sample in samples {
                        StandardStream.write(try SchemaJSON.encoder().encode(sample) + Data("\n".utf8), to: .standardOutput)
                    }
                } else {
                    // Home and clear, then the table: redrawn in place rather than scrolled.
                    if redraw { print("\u{1B}[H\u{1B}[2J", terminator: "") }
                    Self.printSamples(samples, labelled: true)
                    fflush(nil)  // every C stream: naming `stdout` is not concurrency-safe in Swift 6
                }
            }
        }
    }

    /// One sample of each environment, taken at the same time.
    static func sample(_ manager: IsolationManager, _ addresses: [String]) async throws -> [Sample] {
        try await withThrowingTaskGroup(of: (Int, Sample).self) { group in
            for (index, id) in addresses.enumerated() {
                group.addTask { (index, Sample(id: id, stats: try await manager.stats(id))) }
            }
            var samples = [Sample?](repeating: nil, count: addresses.count)
            for try await (index, sample) in group { samples[index] = sample }
            return samples.compactMap { $0 }
        }
    }

    /// An environment's stats with its id beside them, so lines of several environments can be told apart.
    struct Sample: Encodable {
        var id: String
        var stats: EnvironmentStats

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(id, forKey: .id)
            try stats.encode(to: encoder)
        }

        enum Key: String, CodingKey { case id }
    }

    /// The table; `labelled` puts an ID column first (several environments, or a live view).
    static func printSamples(_ samples: [Sample], labelled: Bool) {
        let header = ["CPU", "MEMORY", "LIMIT", "MEM %", "NET IN/OUT", "BLOCK IN/OUT", "PIDS"]
        let rows = samples.map { sample in
            let stats = sample.stats
            let limit = stats.memoryLimitBytes == 0 ? "no limit" : formatBytes(Int64(clamping: stats.memoryLimitBytes))
            let row = [
                String(format: "%.2f%%", stats.cpuPercent), formatBytes(Int64(clamping: stats.memoryUsageBytes)), limit,
                String(format: "%.2f%%", stats.memoryPercent),
                "\(formatBytes(Int64(clamping: stats.networkReceivedBytes))) / \(formatBytes(Int64(clamping: stats.networkSentBytes)))",
                "\(formatBytes(Int64(clamping: stats.blockReadBytes))) / \(formatBytes(Int64(clamping: stats.blockWrittenBytes)))",
                String(stats.pids),
            ]
            return labelled ? [sample.id] + row : row
        }
        printTable([labelled ? ["ID"] + header : header] + rows)
    }
}
