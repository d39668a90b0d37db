import BenchSupport
import Foundation

/// Docker's multiplexed stream (no TTY): frames of an 8-byte header
/// (stream type, 3 zero bytes, big-endian length) and a payload.
enum RawStream {
    /// The stdout payloads of a whole stream, concatenated.
    static func stdout(of data: Data) throws -> Data {
        let bytes = [UInt8](data)
        var stdout = Data()
        var offset = 0
        while offset < bytes.count {
            guard offset + 8 <= bytes.count else { throw BenchFailure("truncated stream frame header") }
            let length = bytes[offset + 4..<offset + 8].reduce(0) { $0 << 8 | Int($1) }
            let start = offset + 8
            guard start + length <= bytes.count else { throw BenchFailure("truncated stream frame") }
            if bytes[offset] == 1 { stdout.append(contentsOf: bytes[start..<start + length]) }
            offset = start + length
        }
        return stdout
    }
}
