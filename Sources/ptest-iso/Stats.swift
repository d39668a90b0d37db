import ArgumentParser
import Foundation
import IsolationCore

struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a Docker environment's resource usage (one sample, taken over about a second).",
        discussion: """
            Virtualenv environments have no stats.

            Examples:
              ptest-iso stats env-3f2a9c1b7d40
              ptest-iso stats env-3f2a9c1b7d40 --json
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The environment's id, id prefix or name.", completion: Completions.environments)
    var id: String

    func run() async throws {
        let manager = try state.manager()
        let stats = try await manager.stats(manager.resolveAddress(id))
        if output.json {
            return try printJSON(stats)
        }
        let limit = stats.memoryLimitBytes == 0 ? "no limit" : formatBytes(Int64(clamping: stats.memoryLimitBytes))
        printTable([
            ["CPU", "MEMORY", "LIMIT", "MEM %", "NET IN/OUT", "BLOCK IN/OUT", "PIDS"],
            [
                String(format: "%.2f%%", stats.cpuPercent), formatBytes(Int64(clamping: stats.memoryUsageBytes)), limit,
                String(format: "%.2f%%", stats.memoryPercent),
                "\(formatBytes(Int64(clamping: stats.networkReceivedBytes))) / \(formatBytes(Int64(clamping: stats.networkSentBytes)))",
                "\(formatBytes(Int64(clamping: stats.blockReadBytes))) / \(formatBytes(Int64(clamping: stats.blockWrittenBytes)))",
                String(stats.pids),
            ],
        ])
    }
}
