import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The few stream-socket calls the reaper and its clients need. Every
/// descriptor is close-on-exec: a command a client starts must not hold the
/// client's connection (the reaper would then wait for the command, too).
enum UnixSocket {
    /// The longest path `sockaddr_un` holds, without its terminating zero.
    static let maxPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    static func listen(at path: String) throws -> CInt {
        let fd = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure("socket", path) }
        do {
            try withAddress(path) { address, length in
                guard bind(fd, address, length) == 0 else { throw failure("bind", path) }
            }
            // bind makes the socket 0777 less the umask; connecting needs write permission, which only its owner keeps.
            guard chmod(path, 0o600) == 0 else { throw failure("chmod", path) }
            guard Glibc.listen(fd, 64) == 0 else { throw failure("listen", path) }
            return fd
        } catch {
            close(fd)
            throw error
        }
    }

    /// A connected descriptor, or `nil` when nobody listens at `path`.
    static func connect(to path: String) -> CInt? {
        let fd = socket(AF_UNIX, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        let connected = (try? withAddress(path) { address, length in Glibc.connect(fd, address, length) == 0 }) ?? false
        guard connected else {
            close(fd)
            return nil
        }
        return fd
    }

    static func accept(_ listener: CInt) -> CInt? {
        // accept4 needs _GNU_SOURCE, which Swift's Glibc module does not define.
        let fd = Glibc.accept(listener, nil, nil)
        guard fd >= 0 else { return nil }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        return fd
    }

    /// Waits up to `milliseconds` for one byte; `nil` on timeout, 0 bytes on end of stream.
    static func readByte(_ fd: CInt, milliseconds: Int32) -> UInt8?? {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, milliseconds) > 0 else { return .none }
        var byte: UInt8 = 0
        return read(fd, &byte, 1) == 1 ? .some(byte) : .some(nil)
    }

    /// Whether the peer has closed the connection (or it broke), without waiting.
    static func isClosed(_ fd: CInt) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, 0) > 0 else { return false }
        // The reaper never sends after its greeting, so anything readable now means the end.
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, CInt(MSG_PEEK | MSG_DONTWAIT)) <= 0
    }

    private static func withAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) throws -> T) throws -> T {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count <= maxPathBytes else {
            throw IsolationError(.ioFailure, "socket path \(path) is longer than \(maxPathBytes) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
            buffer[bytes.count] = 0
        }
        return try withUnsafePointer(to: &address) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    private static func failure(_ call: String, _ path: String) -> IsolationError {
        IsolationError(.ioFailure, "\(call) \(path): \(String(cString: strerror(errno)))")
    }
}
