// `package import`, not plain `import`: with InternalImportsByDefault a
// package-level signature may not mention types from an internal import.
package import Foundation

/// A small POSIX tar codec for Docker's archive endpoints
/// (`PUT`/`GET /containers/{id}/archive`) and for build contexts.
///
/// Writes ustar, adding a PAX extended header only for what ustar cannot
/// hold (paths or link targets over 100 bytes, sizes of 8 GiB and more), so
/// the daemon's Go `archive/tar`, GNU tar and busybox all read it. Output is
/// deterministic — entries sorted, uid/gid 0, no user or group names — because
/// build-context digests are taken over these bytes.
///
/// Reads ustar, PAX (`x`; `g` is skipped) and GNU long names (`L`/`K`), since
/// the daemon and GNU tar emit either.
package enum TarArchive {
    /// One member of an archive. Directory paths carry no trailing `/`.
    package struct Entry: Sendable, Equatable {
        package enum Kind: Sendable, Equatable {
            case file, directory, symlink, hardlink
            /// FIFOs, devices and anything else; listed, never extracted.
            case other
        }

        package var path: String
        package var kind: Kind
        /// Permission bits including setuid, setgid and sticky (`0o7777`).
        package var mode: UInt32
        package var size: Int
        package var mtime: Date
        package var linkTarget: String?
        /// Set for files only.
        package var contents: Data?
    }

    static let blockSize = 512
    /// Largest size or time an 11-digit octal ustar field holds (8 GiB - 1).
    static let maxOctal11 = 0o777_7777_7777
}

/// Why reading, writing or extracting an archive failed.
package struct TarArchiveError: Error, CustomStringConvertible {
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case corruptHeader, badChecksum, truncated, unsafePath, io, unsupported
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        package static let corruptHeader = Code(.corruptHeader)
        package static let badChecksum = Code(.badChecksum)
        package static let truncated = Code(.truncated)
        /// An absolute path, a `..` escape, or writing through a symlink that leaves the destination.
        package static let unsafePath = Code(.unsafePath)
        package static let io = Code(.io)
        package static let unsupported = Code(.unsupported)

        package var description: String { base.rawValue }
    }

    package var code: Code
    /// The archive member or file-system path concerned, when there is one.
    package var path: String?
    package var message: String

    init(_ code: Code, path: String?, _ message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    /// Adds `strerror(errno)` to the message; call right after the failing syscall.
    static func posix(_ what: String, path: String) -> TarArchiveError {
        let reason = String(cString: strerror(errno))
        return TarArchiveError(.io, path: path, "\(what) failed: \(reason)")
    }

    package var description: String {
        let subject = path.map { "'\($0)': " } ?? ""
        return "tar \(code): \(subject)\(message)"
    }
}

// MARK: - Writing

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

    /// Appends the ustar header, preceded by a PAX header for whatever ustar cannot hold.
    static func appendHeaders(
        name: String, mode: UInt32, size: Int, mtime: Int, typeflag: UInt8, linkName: String,
        to out: inout Data
    ) {
        var pax: [(key: String, value: String)] = []
        if name.utf8.count > 100 { pax.append(("path", name)) }
        if linkName.utf8.count > 100 { pax.append(("linkpath", linkName)) }
        if size > maxOctal11 { pax.append(("size", String(size))) }
        if mtime < 0 || mtime > maxOctal11 { pax.append(("mtime", String(mtime))) }
        let clampedTime = min(max(mtime, 0), maxOctal11)
        if !pax.isEmpty {
            let records = Data(pax.map(paxRecord).joined().utf8)
            let base = name.split(separator: "/").last.map(String.init) ?? "entry"
            out.append(
                contentsOf: headerBlock(
                    name: Array(("PaxHeaders.0/" + base).utf8.prefix(100)), mode: 0o644, size: records.count,
                    mtime: clampedTime, typeflag: UInt8(ascii: "x"), linkName: []))
            out.append(records)
            out.append(contentsOf: repeatElement(0, count: padded(records.count) - records.count))
        }
        out.append(
            contentsOf: headerBlock(
                name: Array(name.utf8.prefix(100)), mode: mode, size: size > maxOctal11 ? 0 : size,
                mtime: clampedTime, typeflag: typeflag, linkName: Array(linkName.utf8.prefix(100))))
    }

    /// `"<length> key=value\n"`, where the length counts its own digits.
    private static func paxRecord(_ record: (key: String, value: String)) -> String {
        let body = " \(record.key)=\(record.value)\n"
        var length = body.utf8.count
        while String(length).utf8.count + body.utf8.count != length {
            length = String(length).utf8.count + body.utf8.count
        }
        return String(length) + body
    }

    private static func headerBlock(
        name: [UInt8], mode: UInt32, size: Int, mtime: Int, typeflag: UInt8, linkName: [UInt8]
    ) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ bytes: some Collection<UInt8>, at offset: Int) {
            block.replaceSubrange(offset..<offset + bytes.count, with: bytes)
        }
        func putOctal(_ value: Int, at offset: Int, width: Int) {
            let digits = String(value, radix: 8)
            put((String(repeating: "0", count: width - 1 - digits.count) + digits).utf8, at: offset)
        }
        put(name, at: 0)
        putOctal(Int(mode & 0o7777), at: 100, width: 8)
        putOctal(0, at: 108, width: 8)  // uid
        putOctal(0, at: 116, width: 8)  // gid
        putOctal(size, at: 124, width: 12)
        putOctal(mtime, at: 136, width: 12)
        block[156] = typeflag
        put(linkName, at: 157)
        put("ustar\0".utf8, at: 257)
        put("00".utf8, at: 263)
        putOctal(0, at: 329, width: 8)  // devmajor
        putOctal(0, at: 337, width: 8)  // devminor
        put(repeatElement(UInt8(ascii: " "), count: 8), at: 148)
        let sum = block.reduce(0) { $0 + Int($1) }
        putOctal(sum, at: 148, width: 7)  // six digits and a NUL; the trailing space stays
        return block
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

    static func padded(_ size: Int) -> Int { (size + blockSize - 1) / blockSize * blockSize }

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

// MARK: - Reading

extension TarArchive {
    /// Lists an archive's members, with file contents.
    ///
    /// Not errors: a missing end-of-archive marker, a missing final padding,
    /// and the GNU, PAX and old-style (V7) variants of headers.
    /// - Throws: `TarArchiveError` for a bad checksum, an unparsable header
    ///   field or PAX record, or a member whose contents run past the end.
    package static func entries(in data: Data) throws -> [Entry] {
        try data.withUnsafeBytes { bytes in
            var reader = Reader(bytes: bytes)
            return try reader.readAll()
        }
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        /// Overrides for the next real member, from `x`, `L` and `K` headers.
        var pending: [String: String] = [:]

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        mutating func readAll() throws -> [Entry] {
            var entries: [Entry] = []
            while offset < bytes.count {
                let remaining = bytes.count - offset
                let blockEnd = offset + min(remaining, blockSize)
                if bytes[offset..<blockEnd].allSatisfy({ $0 == 0 }) { break }
                guard remaining >= blockSize else {
                    throw TarArchiveError(.truncated, path: nil, "archive ends inside a header")
                }
                let header = try Header(block: UnsafeRawBufferPointer(rebasing: bytes[offset..<blockEnd]))
                offset = blockEnd
                if let entry = try readMember(header) { entries.append(entry) }
            }
            return entries
        }

        private mutating func readMember(_ header: Header) throws -> Entry? {
            let path = pending["path"] ?? header.name
            let isMeta = [UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"), UInt8(ascii: "K")]
                .contains(header.typeflag)
            // Go's archive/tar: these types never carry data, whatever the size field says.
            let headerOnly = Array("123456".utf8).contains(header.typeflag)
            var size = header.size
            if !isMeta, let paxSize = pending["size"] {
                guard let value = Int(paxSize), value >= 0 else {
                    throw TarArchiveError(.corruptHeader, path: path, "bad PAX size '\(paxSize)'")
                }
                size = value
            }
            if headerOnly { size = 0 }
            guard size <= bytes.count - offset else {
                throw TarArchiveError(.truncated, path: path, "contents run past the end of the archive")
            }
            let payload = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + size])
            offset = min(bytes.count, offset + padded(size))

            switch header.typeflag {
            case UInt8(ascii: "x"):
                try parsePAX(payload, member: path)
                return nil
            case UInt8(ascii: "g"):
                return nil
            case UInt8(ascii: "L"), UInt8(ascii: "K"):
                let key = header.typeflag == UInt8(ascii: "L") ? "path" : "linkpath"
                let text = Data(payload.prefix { $0 != 0 })
                // PAX wins over a GNU long name when both are present, as in Go.
                if pending[key] == nil { pending[key] = String(decoding: text, as: UTF8.self) }
                return nil
            default:
                break
            }

            let linkTarget = pending["linkpath"] ?? header.linkName
            var mtime = Date(timeIntervalSince1970: TimeInterval(header.mtime))
            if let paxTime = pending["mtime"], let seconds = Double(paxTime) {
                mtime = Date(timeIntervalSince1970: seconds)
            }
            pending = [:]

            let kind: Entry.Kind =
                switch header.typeflag {
                case UInt8(ascii: "0"), 0, UInt8(ascii: "7"): path.hasSuffix("/") ? .directory : .file
                case UInt8(ascii: "1"): .hardlink
                case UInt8(ascii: "2"): .symlink
                case UInt8(ascii: "5"): .directory
                default: .other
                }
            var cleanPath = Substring(path)
            while cleanPath.count > 1 && cleanPath.hasSuffix("/") { cleanPath = cleanPath.dropLast() }
            return Entry(
                path: String(cleanPath), kind: kind, mode: header.mode & 0o7777, size: kind == .file ? size : 0,
                mtime: mtime,
                linkTarget: kind == .symlink || kind == .hardlink ? linkTarget : nil,
                contents: kind == .file ? Data(payload) : nil)
        }

        private mutating func parsePAX(_ payload: UnsafeRawBufferPointer, member: String) throws {
            var rest = payload[...]
            while !rest.isEmpty {
                guard let space = rest.firstIndex(of: UInt8(ascii: " ")),
                    let length = Int(String(decoding: rest[rest.startIndex..<space], as: UTF8.self)),
                    length > space - rest.startIndex + 1, length <= rest.count,
                    rest[rest.startIndex + length - 1] == UInt8(ascii: "\n")
                else {
                    if rest.allSatisfy({ $0 == 0 }) { break }
                    throw TarArchiveError(.corruptHeader, path: member, "malformed PAX record")
                }
                let record = rest[(space + 1)..<(rest.startIndex + length - 1)]
                rest = rest[(rest.startIndex + length)...]
                guard let equals = record.firstIndex(of: UInt8(ascii: "=")) else {
                    throw TarArchiveError(.corruptHeader, path: member, "PAX record without '='")
                }
                let key = String(decoding: record[record.startIndex..<equals], as: UTF8.self)
                let value = String(decoding: record[(equals + 1)...], as: UTF8.self)
                guard ["path", "linkpath", "size", "mtime"].contains(key) else { continue }
                pending[key] = value.isEmpty ? nil : value
            }
        }
    }

    private struct Header {
        var name: String
        var mode: UInt32
        var size: Int
        var mtime: Int
        var typeflag: UInt8
        var linkName: String

        init(block: UnsafeRawBufferPointer) throws {
            func text(_ offset: Int, _ width: Int) -> String {
                String(decoding: block[offset..<offset + width].prefix { $0 != 0 }, as: UTF8.self)
            }
            name = text(0, 100)
            let stored = try Header.number(block, 148, 8, field: "checksum", member: name)
            var unsigned = 0
            var signed = 0
            for (index, byte) in block.enumerated() {
                let value = (148..<156).contains(index) ? 0x20 : byte
                unsigned += Int(value)
                signed += Int(Int8(bitPattern: value))
            }
            guard stored == unsigned || stored == signed else {
                throw TarArchiveError(.badChecksum, path: name, "header checksum mismatch")
            }
            mode = UInt32(truncatingIfNeeded: try Header.number(block, 100, 8, field: "mode", member: name))
            size = try Header.number(block, 124, 12, field: "size", member: name)
            mtime = try Header.number(block, 136, 12, field: "mtime", member: name)
            typeflag = block[156]
            linkName = text(157, 100)
            // Only POSIX ustar has a prefix field; GNU ("ustar  \0") keeps other data there.
            if block[257..<263].elementsEqual("ustar\0".utf8) {
                let prefix = text(345, 155)
                if !prefix.isEmpty { name = prefix + "/" + name }
            }
            guard size >= 0 else { throw TarArchiveError(.corruptHeader, path: name, "negative size") }
        }

        /// Octal, space- or NUL-padded; or GNU base-256 when the high bit is set.
        static func number(
            _ block: UnsafeRawBufferPointer, _ offset: Int, _ width: Int, field: String, member: String
        ) throws -> Int {
            let raw = block[offset..<offset + width]
            if let first = raw.first, first & 0x80 != 0 {
                guard first == 0x80, raw.dropFirst().prefix(while: { $0 == 0 }).count >= width - 9 else {
                    throw TarArchiveError(.corruptHeader, path: member, "unsupported base-256 \(field)")
                }
                return raw.dropFirst().reduce(0) { $0 << 8 | Int($1) }
            }
            var value = 0
            var digits = raw.drop { $0 == UInt8(ascii: " ") || $0 == 0 }[...]
            digits = digits.prefix { $0 != 0 && $0 != UInt8(ascii: " ") }
            for digit in digits {
                guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(digit), value < Int.max >> 3 else {
                    throw TarArchiveError(.corruptHeader, path: member, "bad \(field) field")
                }
                value = value << 3 | Int(digit - UInt8(ascii: "0"))
            }
            return value
        }
    }
}

// MARK: - Extracting

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
