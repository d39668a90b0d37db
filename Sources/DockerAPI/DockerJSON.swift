import Foundation
import NIOCore
import NIOFoundationCompat

/// JSON coding for Engine API bodies.
///
/// The Engine API names fields in PascalCase (`HostConfig`, `NanoCpus`);
/// Swift models use camelCase. Keys are converted at the edge: on decode
/// the leading capital run is lowered (`IPAddress` → `ipAddress`, `ID` →
/// `id`); on encode the first letter is raised, which the daemon accepts
/// because Go matches JSON keys case-insensitively. Dictionary keys
/// (labels, env maps) are left as they are.
enum DockerJSON {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) {
            self.stringValue = String(intValue)
            self.intValue = intValue
        }
    }

    static func camelCase(_ key: String) -> String {
        let chars = Array(key)
        var upperRun = 0
        while upperRun < chars.count, chars[upperRun].isUppercase { upperRun += 1 }
        if upperRun == 0 { return key }
        if upperRun == chars.count { return key.lowercased() }
        // "IPAddress": the last capital starts the next word, unless a digit or lower follows a 2-letter acronym.
        let lowered = upperRun == 1 ? 1 : upperRun - 1
        return String(chars[..<lowered]).lowercased() + String(chars[lowered...])
    }

    static func pascalCase(_ key: String) -> String {
        key.prefix(1).uppercased() + key.dropFirst()
    }

    static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in Key(stringValue: camelCase(path.last!.stringValue)) }
        return decoder
    }

    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .custom { path in Key(stringValue: pascalCase(path.last!.stringValue)) }
        return encoder
    }

    static func encode(_ value: some Encodable) throws -> Data {
        try makeEncoder().encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, from buffer: ByteBuffer, context: String) throws -> T {
        try decode(type, from: Data(buffer: buffer), context: context)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data, context: String) throws -> T {
        do {
            return try makeDecoder().decode(type, from: data)
        } catch {
            let preview = String(decoding: data.prefix(300), as: UTF8.self)
            throw DockerError(.protocolError, "\(context): unexpected reply (\(error)): \(preview)")
        }
    }
}
