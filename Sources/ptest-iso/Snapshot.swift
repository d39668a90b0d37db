import ArgumentParser
import Foundation
import IsolationCore

struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Take, list, restore, remove, export and import snapshots.",
        discussion: """
            A snapshot is a named restore point: a virtualenv's tree and packages, a container \
            committed to an image, or a compose stack's containers and named volumes at one moment. \
            Restoring creates a new environment. SNAP is a snapshot's id or name.

            Examples:
              ptest-iso snapshot create env-3f2a9c1b7d40 --name with-fixtures
              ptest-iso snapshot ls
              ID=$(ptest-iso snapshot restore with-fixtures)
              ptest-iso snapshot export with-fixtures /tmp/with-fixtures.tar
              ptest-iso snapshot import /tmp/with-fixtures.tar --name copy
              ptest-iso snapshot rm with-fixtures
            """,
        subcommands: [
            SnapshotCreate.self, SnapshotList.self, SnapshotRestore.self, SnapshotRemove.self, SnapshotExport.self,
            SnapshotImport.self,
        ]
    )
}

struct SnapshotCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Take a snapshot of an environment and print its id.",
        discussion: """
            Examples:
              ptest-iso snapshot create env-3f2a9c1b7d40
              ptest-iso snapshot create env-3f2a9c1b7d40 --name with-fixtures --json
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var progress: ProgressOptions

    @Argument(help: "The environment's id, id prefix or name.", completion: Completions.environments)
    var id: String

    @Option(help: "A name to restore it by (default: the environment's id and the time).")
    var name: String?

    func run() async throws {
        let manager = try await state.manager()
        let id = try await manager.resolve(id).id
        let snapshot = try await Progress.showing(manager, "snapshotting \(id)", quiet: progress.quiet) {
            try await manager.snapshot(id, name: name)
        }
        if output.json { return try printJSON(snapshot) }
        print(snapshot.id)
    }
}

struct SnapshotList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List snapshots.",
        discussion: """
            Examples:
              ptest-iso snapshot ls
              ptest-iso snapshot ls --json
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Flag(name: .shortAndLong, help: "Print only the ids (full ids, one a line).")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "table, json, or a template such as '{{.ID}}\\t{{.Name}}' ('table ' before it aligns columns under a header).",
            discussion: "Fields: \(Self.fields.map { ".\($0)" }.joined(separator: ", ")).", valueName: "format"))
    var format: String?

    static let fields = ["ID", "Name", "Engine", "Source", "Created", "Location"]

    func validate() throws {
        _ = try chosenFormat()
    }

    private func chosenFormat() throws -> OutputFormat {
        if quiet, format != nil || output.json { throw ValidationError("-q/--quiet conflicts with --format and --json") }
        guard let format else { return output.json ? .json : .table }
        let chosen = try OutputFormat(format, fields: Self.fields)
        if output.json, chosen != .json { throw ValidationError("--json conflicts with --format \(format)") }
        return chosen
    }

    func run() async throws {
        let snapshots = try await state.manager().snapshots()
        if quiet { return snapshots.forEach { print($0.id) } }
        switch try chosenFormat() {
        case .json: try printJSON(snapshots)
        case .template(let template):
            template.print(
                snapshots.map {
                    (
                        [
                            "ID": $0.id, "Name": $0.name, "Engine": $0.engine.rawValue, "Source": $0.sourceEnvironment,
                            "Created": RelativeTime.ago($0.createdAt), "Location": $0.location,
                        ], [:]
                    )
                })
        case .table:
            if snapshots.isEmpty { return print("no snapshots") }
            printTable(
                [["ID", "NAME", "ENGINE", "SOURCE", "CREATED"]]
                    + snapshots.map { [$0.id, $0.name, $0.engine.rawValue, $0.sourceEnvironment, RelativeTime.ago($0.createdAt)] })
        }
    }
}

struct SnapshotRestore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Create a new environment from a snapshot and print its id.",
        discussion: """
            The new environment is kept as `create` keeps one: until `rm`, or until \
            `cleanup --expired` after its TTL (with --keep, until `rm` only).

            Examples:
              ptest-iso snapshot restore with-fixtures
              ptest-iso snapshot restore snap-5e0c7a9d2b14 --keep --json
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var progress: ProgressOptions

    @Argument(help: "The snapshot's id, id prefix or name.", completion: Completions.snapshots)
    var snapshot: String

    @Flag(help: "Keep the new environment until `rm`, whatever its TTL.")
    var keep = false

    func run() async throws {
        let manager = try await state.manager()
        let snapshot = try await manager.resolveSnapshot(snapshot).id
        let environment = try await Progress.showing(manager, "restoring \(snapshot)", quiet: progress.quiet) {
            try await interruptible { [snapshot, keep] in try await manager.restore(snapshot, cleanup: keep ? .keep : .afterTTL) }
        }
        if output.json { return try printJSON(environment) }
        print(environment.id)
    }
}

struct SnapshotRemove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Delete snapshots (their data or images).",
        discussion: """
            Environments restored from them stay.

            Examples:
              ptest-iso snapshot rm with-fixtures
              ptest-iso snapshot rm snap-5e0c7a9d2b14 snap-0a1b2c3d4e5f
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The snapshots' ids, id prefixes or names.", completion: Completions.snapshots)
    var snapshots: [String]

    func run() async throws {
        let manager = try await state.manager()
        var removed: [String] = []
        var firstFailure: IsolationError?
        for reference in snapshots {
            do {
                let snapshot = try await manager.resolveSnapshot(reference).id
                try await manager.deleteSnapshot(snapshot)
                removed.append(snapshot)
                if !output.json { print(snapshot) }
            } catch let error as IsolationError {
                StandardStream.failure("\(error.message)")
                firstFailure = firstFailure ?? error
            }
        }
        if output.json { try printJSON(["removed": removed]) }
        if let firstFailure { throw ExitCode(ExitStatus.code(for: firstFailure)) }
    }
}

struct SnapshotExport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a snapshot to one archive file (a venv tree, or a container image with its volumes' data).",
        discussion: """
            Examples:
              ptest-iso snapshot export with-fixtures /tmp/with-fixtures.tar
            """
    )

    @OptionGroup var state: StateOptions

    @Argument(help: "The snapshot's id, id prefix or name.", completion: Completions.snapshots)
    var snapshot: String

    @Argument(help: "The archive to write.")
    var file: String

    func run() async throws {
        let url = URL(fileURLWithPath: file)
        let directory = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory) else {
            throw IsolationError(.notFound, "no directory \(directory) to write \(url.lastPathComponent) into")
        }
        let manager = try await state.manager()
        try await manager.exportSnapshot(manager.resolveSnapshot(snapshot).id, to: url)
        print(url.path)
    }
}

struct SnapshotImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read a snapshot archive made by `snapshot export` and print the new snapshot's id.",
        discussion: """
            Examples:
              ptest-iso snapshot import /tmp/with-fixtures.tar
              ptest-iso snapshot import /tmp/with-fixtures.tar --name with-fixtures-2 --json
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The archive to read.")
    var file: String

    @Option(help: "The name to give it (default: the name it was exported with).")
    var name: String?

    func run() async throws {
        guard FileManager.default.fileExists(atPath: file) else {
            throw IsolationError(.notFound, "no archive at \(file)")
        }
        let snapshot = try await state.manager().importSnapshot(from: URL(fileURLWithPath: file), name: name)
        if output.json { return try printJSON(snapshot) }
        print(snapshot.id)
    }
}
