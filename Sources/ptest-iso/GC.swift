import ArgumentParser
import IsolationCore

struct GC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Shrink the virtualenv template cache, least recently used templates first.",
        discussion: """
            Templates are built venvs that new environments with the same interpreter and \
            requirements are cloned from. Removing one only costs the next such creation a \
            full install. Templates another process is building or cloning are skipped. \
            There is no Docker image cache to collect yet: images the Docker engine uses \
            are the daemon's (`docker image prune`), and snapshot images go with `snapshot rm` \
            or `cleanup --all`.

            Examples:
              ptest-iso gc
              ptest-iso gc --max-bytes 0 --dry-run
              ptest-iso gc --max-bytes 1073741824 --json
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "Shrink the cache to at most this many bytes (default: its configured bound, 2 GiB).")
    var maxBytes: Int64?

    @Flag(help: "List what would be removed, remove nothing.")
    var dryRun = false

    func validate() throws {
        if let maxBytes, maxBytes < 0 { throw ValidationError("--max-bytes must not be negative") }
    }

    func run() async throws {
        let collection = try state.manager().collectTemplates(maxBytes: maxBytes, dryRun: dryRun)
        if output.json { return try printJSON(collection) }
        let verb = dryRun ? "would remove" : "removed"
        for template in collection.evicted {
            print("\(verb) \(template.key)  python \(template.pythonVersion)  \(formatBytes(template.sizeBytes))")
        }
        print(
            "\(verb) \(collection.evicted.count) templates, \(formatBytes(collection.freedBytes)) of \(formatBytes(collection.totalBytes)) "
                + "(limit \(formatBytes(collection.limitBytes)))")
    }
}
