import BenchSupport
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Just enough HTTP/1.1 over one kept-alive Unix socket, written by hand:
/// the cheapest a client in this process could be. Used by the opt-in
/// `--reference` method to show how much of DockerAPI's time is the
/// daemon's own. Blocking I/O, on its own queue, off the cooperative pool.
final class RawHTTPConnection: Sendable {
    struct Response: Sendable {
        var status: Int
        var body: Data
    }

    private struct State: ~Copyable {
        var fd: Int32 = -1
        /// Bytes read past the end of the previous reply.
        var pending = Data()
    }

    private static let queue = DispatchQueue(label: "docker-bench.raw-http")
    private let socketPath: String
    private let state = Mutex(State())

    init(socketPath: String) {
        self.socketPath = socketPath
    }

    deinit {
        state.withLock { if $0.fd >= 0 { close($0.fd) } }
    }

    /// Sends one request (reconnecting when the daemon closed the last one) and reads the whole reply.
    func request(_ method: String, _ path: String, json body: Data? = nil) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            Self.queue.async {
                continuation.resume(with: Result { try self.exchange(method, path, body) })
            }
        }
    }

    private func exchange(_ method: String, _ path: String, _ body: Data?) throws -> Response {
        try state.withLock { state in
            if state.fd < 0 {
                state.fd = try connectSocket()
                state.pending = Data()
            }
            var head = "\(method) \(path) HTTP/1.1\r\nHost: docker\r\nContent-Length: \(body?.count ?? 0)\r\n"
            if body != nil { head += "Content-Type: application/json\r\n" }
            try writeAll(state.fd, Data((head + "\r\n").utf8) + (body ?? Data()))
            let response = try readResponse(&state)
            return response
        }
    }

    private func readResponse(_ state: inout State) throws -> Response {
        let separator = Data("\r\n\r\n".utf8)
        while state.pending.range(of: separator) == nil {
            guard try fill(&state) else { throw BenchFailure("raw HTTP: connection closed before a reply head") }
        }
        let headEnd = state.pending.range(of: separator)!
        let head = String(decoding: state.pending[..<headEnd.lowerBound], as: UTF8.self)
        state.pending = Data(state.pending[headEnd.upperBound...])
        let lines = head.components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else {
            throw BenchFailure("raw HTTP: unreadable status line '\(lines[0])'")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Data()
        if status == 204 || status == 304 {
            // No body.
        } else if let length = headers["content-length"].flatMap(Int.init) {
            while state.pending.count < length {
                guard try fill(&state) else { throw BenchFailure("raw HTTP: reply body cut short") }
            }
            body = Data(state.pending.prefix(length))
            state.pending = Data(state.pending.dropFirst(length))
        } else if headers["transfer-encoding"]?.lowercased() == "chunked" {
            body = try readChunked(&state)
        } else {
            // A hijacked stream (exec start): the body ends when the daemon closes the connection.
            while try fill(&state) {}
            body = state.pending
            close(state.fd)
            state.fd = -1
            state.pending = Data()
        }
        return Response(status: status, body: body)
    }

    private func readChunked(_ state: inout State) throws -> Data {
        var body = Data()
        let crlf = Data("\r\n".utf8)
        while true {
            while state.pending.range(of: crlf) == nil {
                guard try fill(&state) else { throw BenchFailure("raw HTTP: chunked reply cut short") }
            }
            let lineEnd = state.pending.range(of: crlf)!
            let sizeText = String(decoding: state.pending[..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";")[0], radix: 16) else {
                throw BenchFailure("raw HTTP: bad chunk size '\(sizeText)'")
            }
            state.pending = Data(state.pending[lineEnd.upperBound...])
            while state.pending.count < size + 2 {
                guard try fill(&state) else { throw BenchFailure("raw HTTP: chunk cut short") }
            }
            body.append(state.pending.prefix(size))
            state.pending = Data(state.pending.dropFirst(size + 2))
            // The last chunk is followed by (no trailers and) an empty line, consumed above.
            if size == 0 { return body }
        }
    }

    /// Reads what is available; `false` at end of file.
    private func fill(_ state: inout State) throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(state.fd, $0.baseAddress, $0.count) }
            if count > 0 {
                state.pending.append(contentsOf: buffer[..<count])
                return true
            }
            if count == 0 { return false }
            if errno != EINTR { throw BenchFailure("raw HTTP: read: \(String(cString: strerror(errno)))") }
        }
    }

    private func connectSocket() throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw BenchFailure("raw HTTP: socket: \(String(cString: strerror(errno)))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw BenchFailure("raw HTTP: socket path too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
            raw[pathBytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw BenchFailure("raw HTTP: connect \(socketPath): \(reason)")
        }
        return fd
    }

    private func writeAll(_ fd: Int32, _ data: Data) throws {
        var offset = 0
        while offset < data.count {
            // MSG_NOSIGNAL: a connection the daemon closed is an error here, not a SIGPIPE.
            let written = data.withUnsafeBytes { send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if written < 0 {
                if errno == EINTR { continue }
                throw BenchFailure("raw HTTP: write: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }
}
