package import Foundation

/// The one encoder and decoder of tar headers, used by every reader and writer: ustar blocks,
/// GNU base-256 numbers, GNU long names (`L`/`K`) and PAX extended headers (`x`; `g` skipped).
extension TarArchive {
    package static func padded(_ size: Int) -> Int { (size + blockSize - 1) / blockSize * blockSize }

    /// Appends the ustar header, preceded by a PAX header for whatever ustar cannot hold.
    package static func appendHeaders(
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

    /// One ustar block. A size past ``maxOctal11`` is written in GNU base-256, so a header
    /// written before its member's size was known can be rewritten in place, whatever the size.
    static func headerBlock(
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
        if size > maxOctal11 {
            // The high bit of the first byte marks a big-endian binary number.
            put([0x80] + (0..<11).reversed().map { UInt8(truncatingIfNeeded: size >> (8 * $0)) }, at: 124)
        } else {
            putOctal(size, at: 124, width: 12)
        }
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
}

extension TarArchive {
    /// A decoded header block; `x`, `g`, `L` and `K` ones are folded into ``Overrides``.
    struct Header {
        var name: String
        var mode: UInt32
        var size: Int
        var mtime: Int
        var typeflag: UInt8
        var linkName: String

        /// Headers that describe the next member rather than being one.
        var isMeta: Bool { [UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"), UInt8(ascii: "K")].contains(typeflag) }

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

    /// What `x`, `L` and `K` headers set for the next real member (`path`, `linkpath`,
    /// `size`, `mtime`), gathered by every reader the same way.
    struct Overrides {
        private var values: [String: String] = [:]

        var path: String? { values["path"] }
        var linkPath: String? { values["linkpath"] }
        var mtime: Double? { values["mtime"].flatMap(Double.init) }

        /// The bytes that follow `header`: a PAX size for a real member; none for the types
        /// that never carry data whatever their size field says (as Go's archive/tar reads them).
        func payloadSize(of header: Header, member: String) throws -> Int {
            if Array("123456".utf8).contains(header.typeflag) { return 0 }
            guard !header.isMeta, let paxSize = values["size"] else { return header.size }
            guard let value = Int(paxSize), value >= 0 else {
                throw TarArchiveError(.corruptHeader, path: member, "bad PAX size '\(paxSize)'")
            }
            return value
        }

        /// Folds in a meta header's payload; `g` headers are read and ignored.
        mutating func absorb(_ header: Header, payload: UnsafeRawBufferPointer, member: String) throws {
            switch header.typeflag {
            case UInt8(ascii: "x"):
                try parsePAX(payload, member: member)
            case UInt8(ascii: "L"), UInt8(ascii: "K"):
                let key = header.typeflag == UInt8(ascii: "L") ? "path" : "linkpath"
                // PAX wins over a GNU long name when both are present, as in Go.
                if values[key] == nil { values[key] = String(decoding: payload.prefix { $0 != 0 }, as: UTF8.self) }
            default:
                break
            }
        }

        mutating func reset() { values = [:] }

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
                values[key] = value.isEmpty ? nil : value
            }
        }
    }
}
