import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An advisory lock on a file (`flock`), shared with other processes.
/// Waiting polls with a sleep so no Swift concurrency thread is blocked.
final class FileLock: Sendable {
    private let descriptor: CInt
    private let released = Flag()

    private init(descriptor: CInt) {
        self.descriptor = descriptor
    }

    static func tryAcquire(_ url: URL) -> FileLock? {
        let fd = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        return FileLock(descriptor: fd)
    }

    static func acquire(_ url: URL, timeout: Duration = .seconds(900)) async throws -> FileLock {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let lock = tryAcquire(url) { return lock }
            guard ContinuousClock.now < deadline else {
                throw IsolationError(.timeout, "waited \(timeout) for the lock \(url.path); another process holds it")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Like ``tryAcquire(_:)``, for a lock file that its holder may delete (see ``isStillNamed(_:)``):
    /// `nil` while another process holds it; a lock taken on a file deleted meanwhile is let go
    /// and the file now named `url` is tried instead.
    static func tryAcquireNamed(_ url: URL) -> FileLock? {
        while let lock = tryAcquire(url) {
            if lock.isStillNamed(url) { return lock }
            lock.release()
        }
        return nil
    }

    /// Like ``acquire(_:timeout:)``, for a lock file that its holder may delete: waits until it
    /// holds the lock on the file `url` names.
    static func acquireNamed(_ url: URL, timeout: Duration = .seconds(900)) async throws -> FileLock {
        let deadline = ContinuousClock.now + timeout
        while true {
            let lock = try await acquire(url, timeout: deadline - ContinuousClock.now)
            if lock.isStillNamed(url) { return lock }
            lock.release()
        }
    }

    /// For synchronous callers on threads of their own (opening the database, which
    /// ``IsolationManager/open(configuration:engines:logger:)`` does on NIO's blocking pool),
    /// where holders keep the lock for milliseconds: polls with a short sleep, bounded.
    static func acquireBlocking(_ url: URL, timeout: Duration = .seconds(60)) throws -> FileLock {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let lock = tryAcquire(url) { return lock }
            guard ContinuousClock.now < deadline else {
                throw IsolationError(.timeout, "waited \(timeout) for the lock \(url.path); another process holds it")
            }
            usleep(5_000)
        }
    }

    /// Whether `url` still names the locked file. Whoever deletes a lock file does so while
    /// holding it, so a process that locked the old file before the deletion must retry.
    func isStillNamed(_ url: URL) -> Bool {
        var held = stat()
        var named = stat()
        guard fstat(descriptor, &held) == 0, stat(url.path, &named) == 0 else { return false }
        return held.st_ino == named.st_ino && held.st_dev == named.st_dev
    }

    /// Replaces the locked file's contents (the same file: a new one would not be locked).
    func write(_ text: String) {
        _ = ftruncate(descriptor, 0)
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    func release() {
        guard released.setFirst() else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    deinit {
        release()
    }
}
