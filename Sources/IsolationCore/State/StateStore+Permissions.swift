import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension StateStore {
    /// Makes the database private to its owner before SQLite opens it: SQLite creates files 0644
    /// (less the umask), and gives a new `-wal` or `-shm` the database file's mode, so a database
    /// file made 0600 here keeps its later companions 0600 too. Files of an older, 0644 database
    /// are narrowed. The umask is left alone: it belongs to the whole process.
    ///
    /// - Throws: ``IsolationError/Code/storageFailure`` naming the file that cannot be made private.
    static func makePrivate(_ url: URL) throws {
        let fd = Glibc.open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw IsolationError(.storageFailure, "state database \(url.path): cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard fchmod(fd, 0o600) == 0 else {
            throw IsolationError(.storageFailure, "state database \(url.path): cannot make it 0600: \(String(cString: strerror(errno)))")
        }
        for suffix in ["-wal", "-shm"] where chmod(url.path + suffix, 0o600) != 0 && errno != ENOENT {
            throw IsolationError(
                .storageFailure, "state database \(url.path)\(suffix): cannot make it 0600: \(String(cString: strerror(errno)))")
        }
    }
}
