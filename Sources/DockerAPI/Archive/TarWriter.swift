package import Foundation

extension TarArchive {
    /// Tars the tree under `directory`, with paths relative to it.
    ///
    /// Symlinks are stored, not followed; files with several links are stored
    /// as independent files; sockets, FIFOs and devices are left out.
    ///
    /// - Parameters:
    ///   - rootName: when set, every entry sits under `rootName/` (with an entry
    ///     for the root itself), so copying a directory keeps its name.
    ///   - filter: gets each relative path (`sub/file.txt`, without `rootName`)
    ///     and returns false to leave it out. It is asked about everything inside
    ///     an excluded directory too, so a `.dockerignore` `!` exception can bring
    ///     a file back.
    ///   - descendIntoExcluded: asked about a directory `filter` excluded; false
    ///     skips its whole subtree unvisited. Absent, every directory is walked.
    /// - Throws: `TarArchiveError` when `directory` is not a directory or a
    ///   file cannot be read. An unreadable *directory listing* is an error too:
    ///   a silently partial build context would be worse.
    package static func archive(
        directory: URL,
        includingRootNamed rootName: String? = nil,
        filter: ((String) -> Bool)? = nil,
        descendIntoExcluded: ((String) -> Bool)? = nil
    ) throws -> Data {
        let rootPath = directory.path
        let root = try FileInfo(path: rootPath, followSymlink: true)
        guard root.kind == .directory else {
            throw TarArchiveError(.unsupported, path: rootPath, "not a directory")
        }
        var items: [Item] = []
        var prefix = ""
        if let rootName {
            let name = try checkedMemberName(rootName)
            items.append(Item(name: name + "/", info: root, source: rootPath))
            prefix = name + "/"
        }
        try collect(
            directory: rootPath, relative: "", prefix: prefix, into: &items,
            filter: filter, descendIntoExcluded: descendIntoExcluded)
        return try serialize(items)
    }

    /// Tars one file (or symlink) as the single member `name`.
    ///
    /// - Throws: `TarArchiveError` if `file` is missing, unreadable or a directory.
    package static func archive(file: URL, as name: String) throws -> Data {
        let info = try FileInfo(path: file.path, followSymlink: false)
        guard info.kind == .file || info.kind == .symlink else {
            throw TarArchiveError(.unsupported, path: file.path, "not a regular file or symlink")
        }
        return try serialize([Item(name: checkedMemberName(name), info: info, source: file.path)])
    }

    /// Tars files held in memory, in the order given, as regular files of mode 0600 dated now
    /// (a `docker load` manifest built on the spot).
    package static func archive(files: [(name: String, contents: Data)]) -> Data {
        let now = Int(Date().timeIntervalSince1970)
        var out = Data()
        for file in files {
            appendHeaders(
                name: file.name, mode: 0o600, size: file.contents.count, mtime: now, typeflag: UInt8(ascii: "0"),
                linkName: "", to: &out)
            out.append(file.contents)
            out.append(contentsOf: repeatElement(0, count: padded(file.contents.count) - file.contents.count))
        }
        out.append(contentsOf: repeatElement(0, count: 2 * blockSize))
        return out
    }

    private static func checkedMemberName(_ name: String) throws -> String {
        var trimmed = Substring(name)
        while trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("/"), !parts.contains(where: { $0 == ".." || $0.isEmpty }) else {
            throw TarArchiveError(.unsafePath, path: name, "member name must be a relative path without '..'")
        }
        return String(trimmed)
    }

    /// Depth-first with byte-wise sorted children: deterministic, and parents precede children.
    private static func collect(
        directory: String, relative: String, prefix: String, into items: inout [Item],
        filter: ((String) -> Bool)?, descendIntoExcluded: ((String) -> Bool)?
    ) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw TarArchiveError(.io, path: directory, "cannot list directory: \(error)")
        }
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let rel = relative.isEmpty ? name : relative + "/" + name
            let full = directory + "/" + name
            let info = try FileInfo(path: full, followSymlink: false)
            let included = filter?(rel) ?? true
            switch info.kind {
            case .directory:
                if included {
                    items.append(Item(name: prefix + rel + "/", info: info, source: full))
                }
                if included || descendIntoExcluded?(rel) ?? true {
                    try collect(
                        directory: full, relative: rel, prefix: prefix, into: &items,
                        filter: filter, descendIntoExcluded: descendIntoExcluded)
                }
            case .file, .symlink:
                if included { items.append(Item(name: prefix + rel, info: info, source: full)) }
            case .hardlink, .other:
                continue
            }
        }
    }

    private static func serialize(_ items: [Item]) throws -> Data {
        var out = Data()
        let estimate = items.reduce(2 * blockSize) { total, item in
            total + 2 * blockSize + padded(item.info.size) + item.name.utf8.count + item.info.linkTarget.utf8.count
        }
        out.reserveCapacity(estimate)
        for item in items {
            let info = item.info
            let size = info.kind == .file ? info.size : 0
            let typeflag: UInt8 =
                switch info.kind {
                case .directory: UInt8(ascii: "5")
                case .symlink: UInt8(ascii: "2")
                default: UInt8(ascii: "0")
                }
            appendHeaders(
                name: item.name, mode: info.mode, size: size, mtime: info.mtime,
                typeflag: typeflag, linkName: info.linkTarget, to: &out)
            if size > 0 { try appendContents(of: item.source, size: size, to: &out) }
        }
        out.append(contentsOf: repeatElement(0, count: 2 * blockSize))
        return out
    }

    /// Reads straight into the archive's tail: no intermediate copy of the file.
    private static func appendContents(of path: String, size: Int, to out: inout Data) throws {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw TarArchiveError.posix("open", path: path) }
        defer { close(fd) }
        let start = out.count
        out.count += padded(size)
        var done = 0
        while done < size {
            let n = out.withUnsafeMutableBytes { buffer in
                read(fd, buffer.baseAddress! + start + done, size - done)
            }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw TarArchiveError.posix("read", path: path) }
            guard n > 0 else { throw TarArchiveError(.io, path: path, "file shrank while being archived") }
            done += n
        }
    }

    private struct Item {
        var name: String
        var info: FileInfo
        var source: String
    }
}

extension TarArchive {
    /// What `lstat` (or `stat`) says, reduced to what a tar header needs.
    struct FileInfo {
        var kind: TarArchive.Entry.Kind
        var mode: UInt32
        var size: Int
        var mtime: Int
        var linkTarget = ""

        init(path: String, followSymlink: Bool) throws {
            var st = stat()
            guard (followSymlink ? stat(path, &st) : lstat(path, &st)) == 0 else {
                throw TarArchiveError.posix(followSymlink ? "stat" : "lstat", path: path)
            }
            mode = UInt32(st.st_mode) & 0o7777
            size = Int(st.st_size)
            mtime = Int(st.st_mtim.tv_sec)
            switch UInt32(st.st_mode) & UInt32(S_IFMT) {
            case UInt32(S_IFREG): kind = .file
            case UInt32(S_IFDIR): kind = .directory
            case UInt32(S_IFLNK): kind = .symlink
            default: kind = .other
            }
            if kind == .symlink {
                do {
                    linkTarget = try FileManager.default.destinationOfSymbolicLink(atPath: path)
                } catch {
                    throw TarArchiveError(.io, path: path, "cannot read symlink: \(error)")
                }
            }
        }
    }
}
