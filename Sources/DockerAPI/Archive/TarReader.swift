package import Foundation

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
        var overrides = Overrides()

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
            let path = overrides.path ?? header.name
            let size = try overrides.payloadSize(of: header, member: path)
            guard size <= bytes.count - offset else {
                throw TarArchiveError(.truncated, path: path, "contents run past the end of the archive")
            }
            let payload = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + size])
            offset = min(bytes.count, offset + padded(size))
            if header.isMeta {
                try overrides.absorb(header, payload: payload, member: path)
                return nil
            }

            let linkTarget = overrides.linkPath ?? header.linkName
            let mtime = Date(timeIntervalSince1970: overrides.mtime ?? TimeInterval(header.mtime))
            overrides.reset()

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
    }
}
