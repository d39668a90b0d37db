import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Clones a directory tree fast: copy-on-write clones (reflink) where the
/// filesystem has them, else hard links (``Mode/linkFiles``) or private
/// copies. Files that name the tree's own path — scripts' shebangs,
/// `pyvenv.cfg`, activation scripts, `*.pth` — always get private copies
/// with the path rewritten, so the clone is a working venv at its new place.
enum TreeCopier {
    enum Mode {
        /// Share unchanged files with the source (template clones).
        case linkFiles
        /// Never share an inode (snapshots: later edits must not reach them).
        case privateFiles
    }

    /// `FICLONE` from `linux/fs.h`: share the extents copy-on-write.
    private static let ficlone: UInt = 0x4004_9409

    /// Size and modification time of a file, to notice in-place writes through a shared inode.
    struct FileStamp: Codable, Hashable, Sendable {
        var size: Int64
        var modifiedNanoseconds: Int64

        init(_ info: stat) {
            size = Int64(info.st_size)
            modifiedNanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        }
    }

    /// A source file no longer matches the manifest it was expected to match.
    struct SourceModified: Error {
        var path: String
    }

    /// - Parameter manifest: when given, every regular file of the source must still have
    ///   the stamp recorded for its relative path; a mismatch throws ``SourceModified``.
    /// - Throws: ``IsolationError/Code/ioFailure`` naming the path that failed.
    static func clone(
        _ source: URL, to destination: URL, mode: Mode, rewriting oldPrefix: String? = nil, with newPrefix: String? = nil,
        expecting manifest: [String: FileStamp]? = nil
    ) throws {
        do {
            try cloneDirectory(
                source.path, destination.path, mode: mode, rewrite: zip2(oldPrefix, newPrefix), relative: "", manifest: manifest,
                state: CloneState())
        } catch let error as SourceModified {
            throw error
        } catch let error as IsolationError {
            throw error
        } catch {
            throw IsolationError(.ioFailure, "cloning \(source.path) to \(destination.path): \(error)")
        }
    }

    private static func zip2(_ a: String?, _ b: String?) -> (String, String)? {
        guard let a, let b, a != b else { return nil }
        return (a, b)
    }

    /// What one clone learned about the filesystem, so it asks only once.
    private final class CloneState {
        /// `nil` until tried; `false` once the filesystem refused a reflink.
        var reflinks: Bool?
    }

    private static func cloneDirectory(
        _ source: String, _ destination: String, mode: Mode, rewrite: (String, String)?, relative: String,
        manifest: [String: FileStamp]?, state: CloneState
    ) throws {
        var info = stat()
        guard lstat(source, &info) == 0 else { throw failure("stat", source) }
        let directoryMode = info.st_mode & 0o7777
        guard mkdir(destination, 0o700) == 0 || errno == EEXIST else { throw failure("mkdir", destination) }
        guard let dir = opendir(source) else { throw failure("opendir", source) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        for name in names {
            let from = source + "/" + name
            let to = destination + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            guard lstat(from, &info) == 0 else { throw failure("stat", from) }
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                try cloneDirectory(from, to, mode: mode, rewrite: rewrite, relative: rel, manifest: manifest, state: state)
            case S_IFLNK:
                var target = try FileManager.default.destinationOfSymbolicLink(atPath: from)
                if let (old, new) = rewrite, target.hasPrefix(old + "/") || target == old {
                    target = new + target.dropFirst(old.count)
                }
                guard symlink(target, to) == 0 else { throw failure("symlink", to) }
            case S_IFREG:
                if let manifest, manifest[rel] != FileStamp(info) {
                    throw SourceModified(path: from)
                }
                if let rewrite, mayNamePrefix(rel), try rewriteFile(from, to, mode: info.st_mode & 0o7777, rewrite) {
                    continue
                }
                try cloneFile(from, to, mode: mode, permissions: info.st_mode & 0o7777, size: Int(info.st_size), state: state)
            default:
                continue  // sockets, FIFOs and devices do not belong in a venv
            }
        }
        // The directory's mode last, once its content is written (it may be read-only).
        guard chmod(destination, directoryMode) == 0 else { throw failure("chmod", destination) }
    }

    /// Files that may hold the tree's absolute path.
    private static func mayNamePrefix(_ relative: String) -> Bool {
        relative.hasPrefix("bin/") || relative.hasPrefix("venv/bin/") || relative.hasSuffix("pyvenv.cfg")
            || relative.hasSuffix(".pth") || relative.hasSuffix(".egg-link")
    }

    /// Writes a private, rewritten copy when the file names the old prefix; `false` when it does not.
    private static func rewriteFile(_ from: String, _ to: String, mode: mode_t, _ rewrite: (String, String)) throws -> Bool {
        let data = try Data(contentsOf: URL(fileURLWithPath: from))
        guard let old = rewrite.0.data(using: .utf8), data.range(of: old) != nil,
            let text = String(data: data, encoding: .utf8)
        else { return false }
        try writeFile(to, Data(text.replacingOccurrences(of: rewrite.0, with: rewrite.1).utf8), permissions: mode)
        guard chmod(to, mode) == 0 else { throw failure("chmod", to) }
        return true
    }

    /// Clones one file: a reflink where the filesystem has them (asked once per clone), else a
    /// hard link (``Mode/linkFiles``) or a private copy. Creating files is what costs most here,
    /// so no file is created only to be thrown away.
    private static func cloneFile(_ from: String, _ to: String, mode: Mode, permissions: mode_t, size: Int, state: CloneState) throws {
        if state.reflinks != false {
            let input = open(from, O_RDONLY | O_CLOEXEC)
            guard input >= 0 else { throw failure("open", from) }
            defer { close(input) }
            let output = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
            guard output >= 0 else { throw failure("create", to) }
            defer { close(output) }
            if ioctl(output, ficlone, input) == 0 {
                state.reflinks = true
                return
            }
            state.reflinks = false
            if mode == .privateFiles {
                return try copyBytes(input, output, size: size, to)
            }
            unlink(to)
        }
        if mode == .linkFiles, link(from, to) == 0 {
            return
        }
        let input = open(from, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw failure("open", from) }
        defer { close(input) }
        let output = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard output >= 0 else { throw failure("create", to) }
        defer { close(output) }
        try copyBytes(input, output, size: size, to)
    }

    /// Copies in the kernel (`sendfile`), falling back to read and write.
    private static func copyBytes(_ input: CInt, _ output: CInt, size: Int, _ path: String) throws {
        var remaining = size
        while remaining > 0 {
            let copied = sendfile(output, input, nil, remaining)
            if copied > 0 {
                remaining -= copied
                continue
            }
            if copied == 0 { return }
            guard errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP else { throw failure("copy", path) }
            break
        }
        guard remaining > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: min(remaining, 1 << 20))
        while true {
            let count = read(input, &buffer, buffer.count)
            if count == 0 { return }
            guard count > 0 else { throw failure("read", path) }
            var written = 0
            while written < count {
                let n = buffer[written..<count].withUnsafeBytes { write(output, $0.baseAddress, count - written) }
                guard n > 0 else { throw failure("write", path) }
                written += n
            }
        }
    }

    /// Writes a new file in one go: no temporary file, no fsync — what these files need.
    static func writeFile(_ path: String, _ data: Data, permissions: mode_t = 0o644) throws {
        let output = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, permissions)
        guard output >= 0 else { throw failure("create", path) }
        defer { close(output) }
        var written = 0
        while written < data.count {
            let n = data.withUnsafeBytes { write(output, $0.baseAddress! + written, data.count - written) }
            guard n > 0 else { throw failure("write", path) }
            written += n
        }
    }

    private static func failure(_ operation: String, _ path: String) -> IsolationError {
        IsolationError(.ioFailure, "\(operation) \(path): \(String(cString: strerror(errno)))")
    }

    /// The stamps of every regular file under `url`, by relative path.
    static func manifest(of url: URL) -> [String: FileStamp] {
        var stamps: [String: FileStamp] = [:]
        let root = url.path
        let enumerator = FileManager.default.enumerator(atPath: root)
        while let relative = enumerator?.nextObject() as? String {
            var info = stat()
            guard lstat(root + "/" + relative, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            stamps[relative] = FileStamp(info)
        }
        return stamps
    }

    /// Total bytes of regular files under `url` (hard links counted once per tree).
    static func size(of url: URL) -> Int64 {
        var total: Int64 = 0
        var seen = Set<UInt64>()
        let enumerator = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil)
        while let item = enumerator?.nextObject() as? URL {
            var info = stat()
            guard lstat(item.path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, seen.insert(UInt64(info.st_ino)).inserted else {
                continue
            }
            total += Int64(info.st_blocks) * 512
        }
        return total
    }
}
