import DockerAPI
import Foundation

/// Where a `copyIn` or `copyOut` lands, by the rule `docker cp` users know, the same on every
/// engine (docs/environments.md, "Copying files"):
///
/// - a file onto an existing directory, or onto a path ending in `/`, goes inside it under its
///   own name; onto an existing file it replaces it; elsewhere it is saved under the path given;
/// - a directory onto an existing directory goes inside it under its own name, unless the source
///   ends in `/.` (or is `.`), when its contents are merged into the directory; onto a path that
///   does not exist it is created under that name; onto an existing file it is an error;
/// - missing parent directories of the destination are created (where `docker cp` refuses).
struct CopyPlan {
    enum Existing { case missing, file, directory }

    /// The path the copied file or directory becomes; an existing directory there is merged into.
    let target: String

    var targetName: String { (target as NSString).lastPathComponent }
    var targetParent: String { (target as NSString).deletingLastPathComponent }

    /// - Parameters:
    ///   - source: the source as the caller wrote it (a trailing `/.` means its contents).
    ///   - destination: the resolved destination path; `destinationIsDirectory` when the caller
    ///     wrote it with a trailing `/` (or as `.`).
    /// - Throws: ``IsolationError/Code/ioFailure`` naming the paths when a directory would land on a file, or a
    ///   file's contents were asked for.
    init(
        source: String, sourceIsDirectory: Bool, sourcePath: String, destination: String, destinationIsDirectory: Bool,
        existing: Existing
    ) throws {
        let contentsOnly = source == "." || source.hasSuffix("/.")
        let name = (sourcePath as NSString).lastPathComponent
        if sourceIsDirectory {
            switch existing {
            case .file:
                throw IsolationError(.ioFailure, "copy: cannot copy directory \(sourcePath) onto \(destination), which is a file")
            case .directory:
                target = contentsOnly ? destination : (destination as NSString).appendingPathComponent(name)
            case .missing:
                target = destination
            }
        } else {
            if contentsOnly {
                throw IsolationError(.ioFailure, "copy: \(sourcePath) is a file, not a directory whose contents ('/.') can be copied")
            }
            switch existing {
            case .directory:
                target = (destination as NSString).appendingPathComponent(name)
            case .file:
                target = destination
            case .missing:
                target = destinationIsDirectory ? (destination as NSString).appendingPathComponent(name) : destination
            }
        }
    }

    /// What is at `path` on this machine (a symlink counts as what it points to, as for `docker cp`).
    static func existing(atHostPath path: String) -> Existing {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .missing }
        return isDirectory.boolValue ? .directory : .file
    }

    /// Whether a caller's path names a directory by its form: a trailing `/`, or `.`.
    static func namesDirectory(_ path: String) -> Bool {
        path.isEmpty || path == "." || path.hasSuffix("/") || path.hasSuffix("/.")
    }

    /// Whether a host source URL was written with a trailing `/.` (URL keeps it in the relative path).
    static func source(_ url: URL) -> String {
        url.relativePath.hasSuffix("/.") || url.relativePath == "." || url.path.hasSuffix("/.") ? url.relativePath : url.path
    }

    /// A tar of the host file or tree at `source` whose one root member is named `name`.
    ///
    /// - Throws: ``IsolationError/Code/notFound`` when `source` does not exist; `ioFailure` naming the path
    ///   that cannot be read.
    static func archive(_ source: URL, as name: String) throws -> Data {
        switch existing(atHostPath: source.path) {
        case .missing:
            throw IsolationError(.notFound, "copy: \(source.path) does not exist")
        case .directory:
            return try fileSystem(source.path) { try TarArchive.archive(directory: source, includingRootNamed: name) }
        case .file:
            return try fileSystem(source.path) { try TarArchive.archive(file: source, as: name) }
        }
    }

    /// Extracts `tar` into the host directory `parent` (created when missing), its root renamed `name`:
    /// existing files are replaced, existing directories merged into.
    static func extract(_ tar: Data, into parent: String, root: String? = nil, as name: String) throws {
        // Checked here so the message says what is in the way, not what a library call returned.
        var ancestor = parent
        while existing(atHostPath: ancestor) == .missing && ancestor != "/" { ancestor = (ancestor as NSString).deletingLastPathComponent }
        if existing(atHostPath: ancestor) == .file {
            throw IsolationError(.ioFailure, "copy: cannot create \(parent): \(ancestor) is a file, not a directory")
        }
        try fileSystem(parent) {
            try TarArchive.extract(tar, to: URL(fileURLWithPath: parent), renamingRoot: root.map { ($0, name) })
        }
    }

    /// Runs a file operation; a failure becomes `ioFailure`, one line naming the path.
    static func fileSystem<T>(_ path: String, _ work: () throws -> T) throws -> T {
        do {
            return try work()
        } catch let error as IsolationError {
            throw error
        } catch let error as TarArchiveError {
            throw IsolationError(.ioFailure, "copy: \(error.path ?? path): \(error.message)")
        } catch {
            throw IsolationError(.ioFailure, "copy: \(path): \(error.localizedDescription)")
        }
    }
}
