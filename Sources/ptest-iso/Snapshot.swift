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

    @Argument(help: "The environment's id.")
    var id: String

    @Option(help: "A name to restore it by (default: the environment's id and the time).")
    var name: String?

    func run() async throws {
        let manager = try state.manager()
        let snapshot = try await Progress.showing(manager, "snapshotting \(id)") { try await manager.snapshot(id, name: name) }
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

    func run() async throws {
        let snapshots = try state.manager().snapshots()
        if output.json { return try printJSON(snapshots) }
        if snapshots.isEmpty { return print("no snapshots") }
        printTable(
            [["ID", "NAME", "ENGINE", "SOURCE", "CREATED"]]
                + snapshots.map { [$0.id, $0.name, $0.engine.rawValue, $0.sourceEnvironment, formatDate($0.createdAt)] })
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

    @Argument(help: "The snapshot's id or name.")
    var snapshot: String

    @Flag(help: "Keep the new environment until `rm`, whatever its TTL.")
    var keep = false

    func run() async throws {
        let manager = try state.manager()
        let environment = try await Progress.showing(manager, "restoring \(snapshot)") {
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

    @Argument(help: "The snapshots' ids or names.")
    var snapshots: [String]

    func run() async throws {
        let manager = try state.manager()
        var removed: [String] = []
        var firstFailure: IsolationError?
        for snapshot in snapshots {
            do {
                try await manager.deleteSnapshot(snapshot)
                removed.append(snapshot)
                if !output.json { print(snapshot) }
            } catch let error as IsolationError {
                StandardStream.error("Error: \(error.message)")
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

    @Argument(help: "The snapshot's id or name.")
    var snapshot: String

    @Argument(help: "The archive to write.")
    var file: String

    func run() async throws {
        let url = URL(fileURLWithPath: file)
        let directory = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory) else {
            throw IsolationError(.notFound, "no directory \(directory) to write \(url.lastPathComponent) into")
        }
        try await state.manager().exportSnapshot(snapshot, to: url)
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
