import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The reaper's socket, served on a thread of its own: accepts clients,
/// greets each with one byte, and notices each one's end. Once no client has
/// been connected for the grace period it removes the socket and finishes
/// ``idle``.
///
/// The thread owns the client descriptors; nothing else touches them.
final class ReaperListener: Sendable {
    private let listener: CInt
    private let socketPath: String
    private let grace: Duration
    private let firstClientWait: Duration
    private let log: @Sendable (String) -> Void
    /// Finishes when the session has had no client for the grace period.
    let idle: AsyncStream<Void>
    private let idleContinuation: AsyncStream<Void>.Continuation

    init(
        socketPath: String, grace: Duration, firstClientWait: Duration, log: @escaping @Sendable (String) -> Void
    ) throws {
        self.listener = try UnixSocket.listen(at: socketPath)
        self.socketPath = socketPath
        self.grace = grace
        self.firstClientWait = firstClientWait
        self.log = log
        (idle, idleContinuation) = AsyncStream<Void>.makeStream()
    }

    func start() {
        let thread = Thread { [self] in serve() }
        thread.name = "ptest-iso-reaper-listener"
        thread.start()
    }

    private func serve() {
        let clock = ContinuousClock()
        var clients: [CInt] = []
        // The client that started the reaper connects right after; give it longer than the grace.
        var idleSince = clock.now
        var allowedIdle = firstClientWait
        while true {
            var entries = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            entries += clients.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            var timeout: Int32 = -1
            if clients.isEmpty {
                let left = allowedIdle - (clock.now - idleSince)
                guard left > .zero else { break }
                timeout = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            }
            let ready = poll(&entries, nfds_t(entries.count), timeout)
            if ready < 0 {
                if errno == EINTR { continue }
                log("poll failed: \(String(cString: strerror(errno)))")
                break
            }
            for (index, entry) in entries.enumerated().dropFirst() where entry.revents != 0 {
                // Clients never send: readable means closed (or a stray byte, which is discarded).
                var buffer = [UInt8](repeating: 0, count: 64)
                if read(entry.fd, &buffer, buffer.count) <= 0 {
                    close(entry.fd)
                    clients.removeAll { $0 == entries[index].fd }
                    log("client left; \(clients.count) connected")
                    if clients.isEmpty {
                        idleSince = clock.now
                        allowedIdle = grace
                    }
                }
            }
            if entries[0].revents & Int16(POLLIN) != 0, let client = UnixSocket.accept(listener) {
                var hello: UInt8 = 1
                if send(client, &hello, 1, Int32(MSG_NOSIGNAL)) == 1 {
                    clients.append(client)
                    log("client joined; \(clients.count) connected")
                } else {
                    close(client)
                }
            }
        }
        // Unlink first: a client arriving now finds no socket and starts a reaper of its own,
        // which waits for this one's lock, so it never sees a half-removed session.
        unlink(socketPath)
        close(listener)
        for client in clients { close(client) }
        idleContinuation.finish()
    }
}
