import Foundation

/// Compose byte sizes (`mem_limit`, `shm_size`, `tmpfs.size`): a number, fractions allowed,
/// with an optional unit `b`, `k`/`kb`, `m`/`mb`, `g`/`gb`, `t`/`tb`, any case, each 1024
/// times the one before, as Docker's `RAMInBytes` reads them. A bare number is bytes.
enum ComposeByteSize {
    static func bytes(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let number = trimmed.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !number.isEmpty, let value = Double(number) else { return nil }
        let unit = trimmed.dropFirst(number.count)
        guard let power = powers[String(unit)] else { return nil }
        let bytes = value * pow1024(power)
        guard bytes < 9.2e18 else { return nil }
        return Int64(bytes)
    }

    private static let powers: [String: Int] = [
        "": 0, "b": 0, "k": 1, "kb": 1, "m": 2, "mb": 2, "g": 3, "gb": 3, "t": 4, "tb": 4, "p": 5, "pb": 5,
    ]

    private static func pow1024(_ power: Int) -> Double {
        (0..<power).reduce(1.0) { product, _ in product * 1024 }
    }
}

extension ComposeNode {
    func byteSize(_ path: String) throws -> Int64 {
        let text = try string(path)
        guard let bytes = ComposeByteSize.bytes(text) else {
            throw ComposeError.at(self, path, "'\(ComposePath.excerpt(text))' is not a size; write it as 512m, 1g or a number of bytes")
        }
        return bytes
    }
}
