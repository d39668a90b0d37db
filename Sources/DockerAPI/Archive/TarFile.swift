package import Foundation

/// A tar file on disk, written and read member by member, so an archive holding a whole
/// image never passes through memory at once (a snapshot archive). Its headers are
/// ``TarArchive``'s: the same encoder writes them and the same decoder reads them.
package enum TarFile {
    /// One member: its name and where its bytes are in the file.
    package struct Member: Hashable, Sendable {
        package var name: String
        package var offset: Int64
        package var size: Int64
    }

    /// Writes members one after the other to a new file.
    package struct Writer: Sendable {
        package let output: FileOutput

        package init(creating url: URL) throws {
            output = try FileOutput.create(url)
        }

        /// A member whose bytes `fill` appends to the output; its header is rewritten with
        /// the size afterwards (a size of any width fits, in GNU base-256).
        ///
        /// - Throws: `TarArchiveError` `unsafePath` for an empty name; what `fill` or a write throws.
        package func add(_ name: String, fill: (FileOutput) async throws -> Void) async throws {
            guard !name.isEmpty else { throw TarArchiveError(.unsafePath, path: name, "a member needs a name") }
            let mtime = Int(Date().timeIntervalSince1970)
            var headers = Data()
            TarArchive.appendHeaders(
                name: name, mode: 0o600, size: 0, mtime: mtime, typeflag: UInt8(ascii: "0"), linkName: "", to: &headers)
            // A long name puts a PAX header first; the member's own header is the last block.
            let headerOffset = try output.position() + Int64(headers.count - TarArchive.blockSize)
            try output.append(Array(headers))
            try await fill(output)
            let size = try output.position() - headerOffset - Int64(TarArchive.blockSize)
            let header = TarArchive.headerBlock(
                name: Array(name.utf8.prefix(100)), mode: 0o600, size: Int(size), mtime: mtime,
                typeflag: UInt8(ascii: "0"), linkName: [])
            try output.overwrite(header, at: headerOffset)
            try output.append([UInt8](repeating: 0, count: TarArchive.padded(Int(size)) - Int(size)))
        }

        package func add(_ name: String, contents: Data) async throws {
            try await add(name) { try $0.append(Array(contents)) }
        }

        /// The end-of-archive marker; the file is closed.
        package func finish() throws {
            defer { output.close() }
            try output.append([UInt8](repeating: 0, count: 2 * TarArchive.blockSize))
        }

        package func abandon() { output.close() }
    }

    /// The members of a tar file, in order, without reading their contents; stops early
    /// once `stop` returns true for a member (which is included). A leading `./` is dropped
    /// from names.
    ///
    /// - Throws: `TarArchiveError`: `io` when the file cannot be opened or read; `badChecksum`
    ///   or `corruptHeader` for a file that is not a tar; `truncated` for one cut short.
    package static func members(of url: URL, stoppingAt stop: (Member) -> Bool = { _ in false }) throws -> [Member] {
        let reader = try BlockReader(url)
        defer { reader.close() }
        let length = try reader.length()
        var members: [Member] = []
        var offset: Int64 = 0
        var overrides = TarArchive.Overrides()
        // Bounded: every pass moves `offset` forward by at least one block.
        while offset + Int64(TarArchive.blockSize) <= length {
            let block = try reader.read(at: offset, count: TarArchive.blockSize)
            if block.allSatisfy({ $0 == 0 }) { break }
            let header = try block.withUnsafeBytes { try TarArchive.Header(block: $0) }
            var name = overrides.path ?? header.name
            let size = Int64(try overrides.payloadSize(of: header, member: name))
            let dataOffset = offset + Int64(TarArchive.blockSize)
            guard size <= length - dataOffset else {
                throw TarArchiveError(.truncated, path: name, "cut short inside a member at byte \(offset)")
            }
            offset = dataOffset + Int64(TarArchive.padded(Int(size)))
            if header.isMeta {
                guard size <= metaLimit else {
                    throw TarArchiveError(.corruptHeader, path: name, "a header record of \(size) bytes at byte \(dataOffset)")
                }
                let payload = try reader.read(at: dataOffset, count: Int(size))
                try payload.withUnsafeBytes { try overrides.absorb(header, payload: $0, member: name) }
                continue
            }
            overrides.reset()
            if name.hasPrefix("./") { name.removeFirst(2) }
            let member = Member(name: name, offset: dataOffset, size: size)
            members.append(member)
            if stop(member) { break }
        }
        return members
    }

    /// A member's bytes, for the small ones (a manifest): at most `limit`.
    ///
    /// - Throws: `TarArchiveError` `unsupported` for a member over `limit`, `io` for a failed read.
    package static func contents(of member: Member, in url: URL, limit: Int64 = 64 << 20) throws -> Data {
        guard member.size <= limit else {
            throw TarArchiveError(.unsupported, path: member.name, "\(member.size) bytes, more than \(limit) read at once")
        }
        let reader = try BlockReader(url)
        defer { reader.close() }
        return Data(try reader.read(at: member.offset, count: Int(member.size)))
    }

    /// PAX and GNU long-name records are read whole; no real one comes near this.
    static let metaLimit: Int64 = 64 << 20

    /// Reads at offsets; a short read is a file cut short.
    private struct BlockReader {
        let descriptor: Int32
        let path: String

        init(_ url: URL) throws {
            path = url.path
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw TarArchiveError.posix("open", path: path) }
        }

        func length() throws -> Int64 {
            var info = stat()
            guard fstat(descriptor, &info) == 0 else { throw TarArchiveError.posix("stat", path: path) }
            return Int64(info.st_size)
        }

        func read(at offset: Int64, count: Int) throws -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let n = bytes.withUnsafeMutableBytes {
                    pread(descriptor, $0.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                }
                if n < 0 && errno == EINTR { continue }
                guard n >= 0 else { throw TarArchiveError.posix("read", path: path) }
                guard n > 0 else { throw TarArchiveError(.truncated, path: path, "cut short at byte \(offset + Int64(done))") }
                done += n
            }
            return bytes
        }

        func close() { _ = closeDescriptor(descriptor) }
    }
}

private func closeDescriptor(_ descriptor: Int32) -> Int32 { close(descriptor) }
