package import Foundation

extension TarArchive {
    /// Writes an archive's members under `directory`, creating it if needed.
    ///
    /// Restores modes (files after writing, directories after their contents,
    /// so read-only directories can be filled), mtimes and symlinks. Ownership
    /// is not restored. A `.` member is skipped: the destination keeps its own
    /// mode. FIFOs and devices are skipped. Existing files are replaced; an
    /// existing directory is kept and its mode updated.
    ///
    /// - Throws: `TarArchiveError` with code `.unsafePath`, before writing that
    ///   member, for an absolute path, a path that climbs out with `..`, or a
    ///   path whose parent resolves (through a symlink) outside `directory`;
    ///   members before it are already written.
    ///
    /// - Parameter renamingRoot: members under the first component `from` are written under `to`
    ///   instead (a copy saved under another name, as `docker cp` does).
    package static func extract(_ data: Data, to directory: URL, renamingRoot: (from: String, to: String)? = nil) throws {
        var members = try entries(in: data)
        if let (from, to) = renamingRoot, from != to {
            members = members.map { entry in
                var entry = entry
                entry.path = renamed(entry.path, from: from, to: to)
                if entry.kind == .hardlink, let target = entry.linkTarget { entry.linkTarget = renamed(target, from: from, to: to) }
                return entry
            }
        }
        let destination = directory.path
        do {
            try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        } catch {
            throw TarArchiveError(.io, path: destination, "cannot create destination: \(error)")
        }
        let root = try Extractor(destination: destination)
        var directories: [(path: String, depth: Int, entry: Entry)] = []
        for entry in members {
            guard let components = try safeComponents(entry.path) else { continue }
            let parent = try root.resolveParent(components.dropLast(), member: entry.path)
            let target = parent + "/" + components.last!
            switch entry.kind {
            case .directory:
                try root.makeDirectory(target)
                directories.append((target, components.count, entry))
            case .file:
                try root.removeNonDirectory(target, member: entry.path)
                try root.writeFile(target, contents: entry.contents ?? Data(), mode: entry.mode)
                try root.setTime(target, entry.mtime)
            case .symlink:
                try root.removeNonDirectory(target, member: entry.path)
                guard symlink(entry.linkTarget ?? "", target) == 0 else {
                    throw TarArchiveError.posix("symlink", path: target)
                }
                try root.setTime(target, entry.mtime)
            case .hardlink:
                guard let linkComponents = try safeComponents(entry.linkTarget ?? "", linkFrom: entry.path) else {
                    throw TarArchiveError(.unsafePath, path: entry.path, "hard link to the archive root")
                }
                let linkParent = try root.resolveParent(linkComponents.dropLast(), member: entry.path)
                try root.removeNonDirectory(target, member: entry.path)
                guard link(linkParent + "/" + linkComponents.last!, target) == 0 else {
                    throw TarArchiveError.posix("link to '\(entry.linkTarget ?? "")'", path: target)
                }
            case .other:
                continue
            }
        }
        for (path, _, entry) in directories.sorted(by: { $0.depth > $1.depth }) {
            guard chmod(path, mode_t(entry.mode)) == 0 else { throw TarArchiveError.posix("chmod", path: path) }
            try root.setTime(path, entry.mtime)
        }
    }

    private static func renamed(_ path: String, from: String, to: String) -> String {
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        let first = components.firstIndex { $0 != "." && !$0.isEmpty }
        guard let first, components[first] == from else { return path }
        var result = components.map(String.init)
        result[first] = to
        return result.joined(separator: "/")
    }

    /// Lexically cleaned components; nil for the archive root itself.
    /// `linkFrom` names the hard link whose target `path` is, for the error.
    static func safeComponents(_ path: String, linkFrom: String? = nil) throws -> [Substring]? {
        let subject = linkFrom == nil ? "" : "hard link target '\(path)': "
        guard !path.hasPrefix("/") else {
            throw TarArchiveError(.unsafePath, path: linkFrom ?? path, subject + "absolute path in archive")
        }
        var components: [Substring] = []
        for component in path.split(separator: "/") where component != "." {
            if component != ".." {
                components.append(component)
            } else if components.popLast() == nil {
                throw TarArchiveError(
                    .unsafePath, path: linkFrom ?? path, subject + "path escapes the destination through '..'")
            }
        }
        return components.isEmpty ? nil : components
    }

    /// File-system steps of `extract`, each confined to the real path of the destination.
    private struct Extractor {
        let root: String

        init(destination: String) throws {
            guard let resolved = realpath(destination, nil) else {
                throw TarArchiveError.posix("realpath", path: destination)
            }
            root = String(cString: resolved)
            free(resolved)
        }

        func isInside(_ path: String) -> Bool {
            path == root || path.hasPrefix(root == "/" ? "/" : root + "/")
        }

        /// Walks (and creates) the parent directories one by one, so that no
        /// `mkdir` or write ever goes through a symlink that leaves the root.
        func resolveParent(_ components: ArraySlice<Substring>, member: String) throws -> String {
            var current = root
            for component in components {
                let next = current + "/" + component
                var st = stat()
                if lstat(next, &st) != 0 {
                    guard errno == ENOENT else { throw TarArchiveError.posix("lstat", path: next) }
                    guard mkdir(next, 0o755) == 0 || errno == EEXIST else {
                        throw TarArchiveError.posix("mkdir", path: next)
                    }
                    current = next
                    continue
                }
                switch UInt32(st.st_mode) & UInt32(S_IFMT) {
                case UInt32(S_IFDIR):
                    current = next
                case UInt32(S_IFLNK):
                    guard let resolved = realpath(next, nil) else {
                        throw TarArchiveError(.unsafePath, path: member, "parent '\(component)' is a dangling symlink")
                    }
                    let real = String(cString: resolved)
                    free(resolved)
                    guard isInside(real) else {
                        throw TarArchiveError(
                            .unsafePath, path: member,
                            "parent '\(component)' is a symlink to '\(real)', outside the destination")
                    }
                    guard stat(real, &st) == 0, UInt32(st.st_mode) & UInt32(S_IFMT) == UInt32(S_IFDIR) else {
                        throw TarArchiveError(.unsupported, path: member, "parent '\(component)' is not a directory")
                    }
                    current = real
                default:
                    throw TarArchiveError(.unsupported, path: member, "parent '\(component)' is not a directory")
                }
            }
            return current
        }

        /// Clears the way for a file, symlink or link; an existing directory is an error.
        func removeNonDirectory(_ path: String, member: String) throws {
            var st = stat()
            guard lstat(path, &st) == 0 else { return }
            guard UInt32(st.st_mode) & UInt32(S_IFMT) != UInt32(S_IFDIR) else {
                throw TarArchiveError(.unsupported, path: member, "a directory is in the way")
            }
            guard unlink(path) == 0 else { throw TarArchiveError.posix("unlink", path: path) }
        }

        /// Replaces a symlink (even one to a directory) with a real directory.
        func makeDirectory(_ path: String) throws {
            var st = stat()
            if lstat(path, &st) == 0 {
                if UInt32(st.st_mode) & UInt32(S_IFMT) == UInt32(S_IFDIR) {
                    // An earlier extraction may have left it read-only.
                    guard chmod(path, mode_t(st.st_mode & 0o7777) | 0o700) == 0 else {
                        throw TarArchiveError.posix("chmod", path: path)
                    }
                    return
                }
                guard unlink(path) == 0 else { throw TarArchiveError.posix("unlink", path: path) }
            }
            // Owner-writable until the final chmod, so the contents can go in.
            guard mkdir(path, 0o700) == 0 else { throw TarArchiveError.posix("mkdir", path: path) }
        }

        func writeFile(_ path: String, contents: Data, mode: UInt32) throws {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw TarArchiveError.posix("open", path: path) }
            defer { close(fd) }
            try contents.withUnsafeBytes { buffer in
                var done = 0
                while done < buffer.count {
                    let n = write(fd, buffer.baseAddress! + done, buffer.count - done)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw TarArchiveError.posix("write", path: path) }
                    done += n
                }
            }
            // After writing: a write by a non-owner would clear setuid/setgid.
            guard fchmod(fd, mode_t(mode)) == 0 else { throw TarArchiveError.posix("chmod", path: path) }
        }

        func setTime(_ path: String, _ date: Date) throws {
            let seconds = date.timeIntervalSince1970.rounded(.down)
            let time = timespec(tv_sec: Int(seconds), tv_nsec: Int((date.timeIntervalSince1970 - seconds) * 1e9))
            let times = [time, time]
            guard utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) == 0 else {
                throw TarArchiveError.posix("utimensat", path: path)
            }
        }
    }
}
