import DockerAPI
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A snapshot archive file as the manager and the engines see it: DockerAPI's ``TarFile``
/// read with its failures told as ``IsolationError``s that name the file, and the checks
/// made before an export or import starts.
enum SnapshotArchiveFile {
    /// The members of the archive, in order; stops early once `stop` returns true for one.
    ///
    /// - Throws: ``IsolationError``: `notFound` or `ioFailure` for a missing or unreadable path
    ///   or one that is not a regular file; `snapshotFailed` for a file that is not a tar or
    ///   is cut short.
    static func members(of url: URL, stoppingAt stop: (TarFile.Member) -> Bool = { _ in false }) throws -> [TarFile.Member] {
        try requireRegularFile(url)
        return try told(url) { try TarFile.members(of: url, stoppingAt: stop) }
    }

    /// A small member's bytes (a manifest).
    ///
    /// - Throws: ``IsolationError`` `snapshotFailed` for a member over 64 MiB or a file cut short.
    static func contents(of member: TarFile.Member, in url: URL) throws -> Data {
        try told(url) { try TarFile.contents(of: member, in: url) }
    }

    /// - Throws: ``IsolationError/Code/notFound`` for a missing path, `ioFailure` for a directory or
    ///   anything else that is not a regular file, each naming the path.
    static func requireRegularFile(_ url: URL) throws {
        var info = stat()
        guard stat(url.path, &info) == 0 else {
            if errno == ENOENT { throw IsolationError(.notFound, "\(url.path) does not exist") }
            throw IsolationError(.ioFailure, "\(url.path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            let kind = info.st_mode & S_IFMT == S_IFDIR ? "a directory" : "not a regular file"
            throw IsolationError(.ioFailure, "\(url.path) is \(kind), not a snapshot archive")
        }
    }

    /// Checked before an export starts, so the error names what is in the way rather than
    /// what a library call returned half-way.
    ///
    /// - Throws: ``IsolationError/Code/ioFailure`` naming the path: a directory there, or no directory to write it in.
    static func requireWritable(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw IsolationError(.ioFailure, "\(url.path) is a directory; give the archive's file name")
        }
        let parent = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw IsolationError(.ioFailure, "\(parent) is not a directory; the archive \(url.lastPathComponent) cannot be written there")
        }
        guard access(parent, W_OK) == 0 else {
            throw IsolationError(.ioFailure, "\(parent) is not writable; the archive \(url.lastPathComponent) cannot be written there")
        }
    }

    /// A tar failure as one line naming the archive, not the tar layer's own terms.
    private static func told<T>(_ url: URL, _ read: () throws -> T) throws -> T {
        do {
            return try read()
        } catch let error as TarArchiveError {
            switch error.code {
            case .io: throw IsolationError(.ioFailure, "\(url.path): cannot be read (\(error.message))")
            case .truncated: throw IsolationError(.snapshotFailed, "\(url.path) is \(error.message)")
            case .unsupported:
                throw IsolationError(.snapshotFailed, "\(error.path ?? "a member") in \(url.path) is \(error.message)")
            default: throw IsolationError(.snapshotFailed, "\(url.path) is not a tar file (\(error))")
            }
        }
    }
}
