import ArgumentParser
import Foundation
import IsolationCore

struct Cache: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "List the template and image caches, least recently used first (what `gc` shrinks).",
        discussion: """
            Templates are built venvs new environments are cloned from; cached images were \
            built from build contexts, and are used again while the context is unchanged. \
            Both are read from the state directory: no Docker daemon is needed.

            Examples:
              ptest-iso cache
              ptest-iso cache --json
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    struct Report: Encodable {
        var templates: [TemplateInfo]
        var images: [ImageManager.Entry]
    }

    func run() async throws {
        let manager = try await state.manager()
        let report = Report(templates: manager.templates(), images: manager.cachedImages())
        if output.json { return try printJSON(report) }
        if report.templates.isEmpty {
            print("no templates")
        } else {
            printTable(
                [["TEMPLATE", "PYTHON", "REQUIREMENTS", "SIZE", "LAST USED"]]
                    + report.templates.map {
                        [
                            $0.key, $0.pythonVersion, $0.requirements.isEmpty ? "-" : $0.requirements.joined(separator: " "),
                            formatBytes($0.sizeBytes), formatDate($0.lastUsedAt),
                        ]
                    })
        }
        print("")
        if report.images.isEmpty {
            print("no cached images")
        } else {
            printTable(
                [["IMAGE", "CONTEXT", "SIZE", "USES", "LAST USED"]]
                    + report.images.map { [$0.tag, $0.context, formatBytes($0.sizeBytes), "\($0.uses)", formatDate($0.lastUsedAt)] })
        }
    }
}
