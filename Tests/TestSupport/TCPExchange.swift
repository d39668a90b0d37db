public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One request and its answer over a plain TCP connection: how a test proves from the host
/// that a service speaks its protocol on its published port, with no client library.
public enum TCPExchange {
    /// Connects to `host:port`, writes `request`, and reads until `complete` says the answer
    /// is whole, the peer closes, or `timeoutSeconds` pass without a byte.
    public static func send(
        _ request: [UInt8], to host: String = "127.0.0.1", port: Int, timeoutSeconds: Int = 10,
        until complete: ([UInt8]) -> Bool
    ) throws -> [UInt8] {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ECONNREFUSED) }
        guard request.withUnsafeBytes({ Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }) == request.count else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !complete(answer) {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            answer += buffer[0..<count]
        }
        return answer
    }

    /// Redis's protocol (RESP): `command` as an array of bulk strings.
    public static func resp(_ command: [String]) -> [UInt8] {
        var text = "*\(command.count)\r\n"
        for part in command { text += "$\(part.utf8.count)\r\n\(part)\r\n" }
        return Array(text.utf8)
    }

    /// Whether `answer` holds `lines` whole RESP lines.
    public static func lines(_ lines: Int) -> ([UInt8]) -> Bool {
        { answer in String(decoding: answer, as: UTF8.self).components(separatedBy: "\r\n").count > lines }
    }
}
