import DockerAPI
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A tar file on disk, written and read member by member, so a snapshot
/// archive holding a whole image never passes through memory at once.
///
/// Writes plain ustar members (short names, sizes of any width in GNU base-256);
/// reads ustar, GNU and PAX headers, enough to find members in any archive this
/// project writes.
enum TarFile {
    static let blockSize = 512

    /// One member: its name and where its bytes are in the file.
    struct Member: Hashable {
        var name: String
        var offset: Int64
        var size: Int64
    }

    /// Writes members one after the other to a new file.
    struct Writer {
        let output: FileOutput

        init(creating url: URL) throws {
            output = try FileOutput.create(url)
        }

        /// A member whose bytes `fill` appends to the output; its header is patched with the size afterwards.
        func add(_ name: String, fill: (FileOutput) async throws -> Void) async throws {
            let headerOffset = try output.position()
            try output.append(try TarFile.header(name, size: 0))
            try await fill(output)
            let size = try output.position() - headerOffset - Int64(TarFile.blockSize)
            try output.overwrite(try TarFile.header(name, size: size), at: headerOffset)
            try output.append([UInt8](repeating: 0, count: TarFile.padding(size)))
        }

        func add(_ name: String, contents: Data) async throws {
            try await add(name) { try $0.append(Array(contents)) }
        }

        /// The end-of-archive marker; the file is closed.
        func finish() throws {
            defer { output.close() }
            try output.append([UInt8](repeating: 0, count: 2 * TarFile.blockSize))
        }

        func abandon() { output.close() }
    }

    static func padding(_ size: Int64) -> Int {
        Int((Int64(blockSize) - size % Int64(blockSize)) % Int64(blockSize))
    }

    /// A ustar header for a regular file of mode 0600.
    static func header(_ name: String, size: Int64) throws -> [UInt8] {
        let nameBytes = Array(name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count <= 100 else {
            throw IsolationError(.ioFailure, "tar member name '\(name)' must be 1 to 100 bytes")
        }
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ bytes: [UInt8], at offset: Int) { block.replaceSubrange(offset..<offset + bytes.count, with: bytes) }
        func octal(_ value: Int64, width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8) + [0]
        }
        put(nameBytes, at: 0)
        put(octal(0o600, width: 8), at: 100)
        put(octal(0, width: 8), at: 108)
        put(octal(0, width: 8), at: 116)
        if size < 0o77777777777 {
            put(octal(size, width: 12), at: 124)
        } else {
            // GNU base-256: the high bit of the first byte marks a big-endian binary number.
            put([0x80] + (0..<11).reversed().map { UInt8(truncatingIfNeeded: size >> (8 * $0)) }, at: 124)
        }
        put(octal(Int64(Date().timeIntervalSince1970), width: 12), at: 136)
        put(Array("        ".utf8), at: 148)
        block[156] = UInt8(ascii: "0")
        put(Array("ustar\u{0}00".utf8), at: 257)
        let checksum = block.reduce(0) { $0 + Int64($1) }
        put(octal(checksum, width: 7) + [UInt8(ascii: " ")], at: 148)
        return block
    }

    /// The members of a tar file, in order, without reading their contents; stops early
    /// once `stop` returns true for a member (which is included).
    ///
    /// - Throws: `snapshotFailed` for a file that is not a tar or is cut short.
    static func members(of url: URL, stoppingAt stop: (Member) -> Bool = { _ in false }) throws -> [Member] {
        try requireRegularFile(url)
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw IsolationError(.ioFailure, "\(url.path): cannot be opened for reading (\(String(cString: strerror(errno))))")
        }
        defer { try? handle.close() }
        let length = Int64(try readable(url) { try handle.seekToEnd() })
        var members: [Member] = []
        var offset: Int64 = 0
        var pending: (name: String?, size: Int64?) = (nil, nil)
        // Bounded: every pass moves `offset` forward by at least one block.
        while offset + Int64(blockSize) <= length {
            let block = try readable(url) {
                try handle.seek(toOffset: UInt64(offset))
                return [UInt8](try handle.read(upToCount: blockSize) ?? Data())
            }
            guard block.count == blockSize else { break }
            if block.allSatisfy({ $0 == 0 }) { break }
            try checkSum(block, in: url, at: offset)
            let size = try pending.size ?? number(block[124..<136], in: url)
            let dataOffset = offset + Int64(blockSize)
            guard dataOffset + size <= length else {
                throw IsolationError(.snapshotFailed, "\(url.path) is cut short inside a member at byte \(offset)")
            }
            let kind = block[156]
            offset = dataOffset + size + Int64(padding(size))
            switch kind {
            case UInt8(ascii: "x"):
                let records = try read(handle, at: dataOffset, count: size, in: url)
                pending = paxOverrides(records)
                continue
            case UInt8(ascii: "L"):
                let name = try read(handle, at: dataOffset, count: size, in: url)
                pending.name = String(decoding: name.prefix { $0 != 0 }, as: UTF8.self)
                continue
            case UInt8(ascii: "g"):
                continue
            default:
                break
            }
            var name = pending.name ?? headerName(block)
            pending = (nil, nil)
            if name.hasPrefix("./") { name.removeFirst(2) }
            let member = Member(name: name, offset: dataOffset, size: size)
            members.append(member)
            if stop(member) { break }
        }
        return members
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

    /// A read of `url` whose failure becomes one line naming it, not a Foundation error's dump.
    private static func readable<T>(_ url: URL, _ read: () throws -> T) throws -> T {
        do {
            return try read()
        } catch {
            throw IsolationError(
                .ioFailure, "\(url.path): cannot be read (\((error as NSError).localizedFailureReason ?? error.localizedDescription))")
        }
    }

    /// A member's bytes, for the small ones (a manifest): at most `limit`.
    static func contents(of member: Member, in url: URL, limit: Int64 = 64 << 20) throws -> Data {
        guard member.size <= limit else {
            throw IsolationError(.snapshotFailed, "\(member.name) in \(url.path) is \(member.size) bytes, more than a manifest can be")
        }
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw IsolationError(.snapshotFailed, "cannot open \(url.path)")
        }
        defer { try? handle.close() }
        return Data(try read(handle, at: member.offset, count: member.size, in: url))
    }

    private static func read(_ handle: FileHandle, at offset: Int64, count: Int64, in url: URL) throws -> [UInt8] {
        guard count <= 64 << 20 else { throw IsolationError(.snapshotFailed, "\(url.path): a header record of \(count) bytes") }
        let bytes = try readable(url) {
            try handle.seek(toOffset: UInt64(offset))
            return [UInt8](try handle.read(upToCount: Int(count)) ?? Data())
        }
        guard bytes.count == count else { throw IsolationError(.snapshotFailed, "\(url.path) is cut short at byte \(offset)") }
        return bytes
    }

    private static func headerName(_ block: [UInt8]) -> String {
        func text(_ range: Range<Int>) -> String { String(decoding: block[range].prefix { $0 != 0 }, as: UTF8.self) }
        let name = text(0..<100)
        let isUstar = block[257..<262].elementsEqual("ustar".utf8)
        let prefix = isUstar ? text(345..<500) : ""
        return prefix.isEmpty ? name : prefix + "/" + name
    }

    /// The `path` and `size` a PAX extended header sets for the next member.
    private static func paxOverrides(_ records: [UInt8]) -> (name: String?, size: Int64?) {
        var result: (name: String?, size: Int64?) = (nil, nil)
        // Each record is "<length> <key>=<value>\n".
        for line in String(decoding: records, as: UTF8.self).split(separator: "\n") {
            guard let space = line.firstIndex(of: " "), let equals = line.firstIndex(of: "=") else { continue }
            let key = line[line.index(after: space)..<equals]
            let value = String(line[line.index(after: equals)...])
            if key == "path" { result.name = value }
            if key == "size" { result.size = Int64(value) }
        }
        return result
    }

    private static func number(_ field: ArraySlice<UInt8>, in url: URL) throws -> Int64 {
        if let first = field.first, first & 0x80 != 0 {
            return field.dropFirst().reduce(Int64(first & 0x7f)) { $0 << 8 | Int64($1) }
        }
        let text = String(decoding: field.prefix { $0 != 0 }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        guard let value = text.isEmpty ? 0 : Int64(text, radix: 8) else {
            throw IsolationError(.snapshotFailed, "\(url.path) is not a tar file (a size field reads '\(text)')")
        }
        return value
    }

    private static func checkSum(_ block: [UInt8], in url: URL, at offset: Int64) throws {
        var unsigned: Int64 = 0
        for (index, byte) in block.enumerated() { unsigned += (148..<156).contains(index) ? 32 : Int64(byte) }
        let recorded = try number(block[148..<156], in: url)
        guard recorded == unsigned else {
            throw IsolationError(.snapshotFailed, "\(url.path) is not a tar file (bad header checksum at byte \(offset))")
        }
    }
}
