import ArgumentParser
import IsolationCore

struct GC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Shrink the template and image caches, least recently used entries first.",
        discussion: """
            Templates are built venvs that new environments with the same interpreter and \
            requirements are cloned from; cached images are those built from build contexts. \
            Removing one only costs the next such creation a full install or build. Entries \
            another process is building or cloning are skipped, and so is an image a container \
            uses. Images pulled or imported by hand are the daemon's (`docker image prune`); \
            snapshot images go with `snapshot rm` or `cleanup --all`. The image cache is \
            skipped, with a note, when no Docker daemon answers.

            Examples:
              ptest-iso gc
              ptest-iso gc --max-bytes 0 --image-max-bytes 0 --dry-run
              ptest-iso gc --max-bytes 1073741824 --json
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Option(help: "Shrink the template cache to at most this many bytes (default: its configured bound, 2 GiB).")
    var maxBytes: Int64?

    @Option(help: "Shrink the image cache to at most this many bytes (default: its configured bound, 8 GiB).")
    var imageMaxBytes: Int64?

    @Flag(help: "List what would be removed, remove nothing.")
    var dryRun = false

    func validate() throws {
        if let maxBytes, maxBytes < 0 { throw ValidationError("--max-bytes must not be negative") }
        if let imageMaxBytes, imageMaxBytes < 0 { throw ValidationError("--image-max-bytes must not be negative") }
    }

    struct Report: Encodable {
        var templates: TemplateCollection
        var images: [ImageManager.Entry]
        /// Why the image cache was not collected (no daemon), if it was not.
        var imagesSkipped: String?
    }

    func run() async throws {
        let manager = try await state.manager()
        let collection = try manager.collectTemplates(maxBytes: maxBytes, dryRun: dryRun)
        var report = Report(templates: collection, images: [])
        do {
            report.images = try await manager.gc(limit: imageMaxBytes, dryRun: dryRun)
        } catch let error as IsolationError where error.code == .daemonUnavailable {
            report.imagesSkipped = error.message
        }
        if output.json { return try printJSON(report) }
        let verb = dryRun ? "would remove" : "removed"
        for template in collection.evicted {
            print("\(verb) \(template.key)  python \(template.pythonVersion)  \(formatBytes(template.sizeBytes))")
        }
        print(
            "\(verb) \(collection.evicted.count) templates, \(formatBytes(collection.freedBytes)) of \(formatBytes(collection.totalBytes)) "
                + "(limit \(formatBytes(collection.limitBytes)))")
        for image in report.images {
            print("\(verb) image \(image.tag)  \(formatBytes(image.sizeBytes))  built from \(image.context)")
        }
        if let skipped = report.imagesSkipped {
            print("image cache skipped: \(skipped)")
        } else {
            print("\(verb) \(report.images.count) cached images, \(formatBytes(report.images.reduce(0) { $0 + $1.sizeBytes }))")
        }
    }
}
