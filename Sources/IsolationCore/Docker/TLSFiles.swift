import DockerAPI

#if canImport(Glibc)
    import Glibc
#endif

/// The TLS files of an endpoint (CA, client certificate and key) as `stat` sees them.
///
/// A client loads them once, when it connects; `docker` reads them at every command. When they
/// change — a daemon restarted with new certificates, a rotation — a kept client would fail
/// every handshake, so ``SharedDockerClient`` compares them before each use (three `stat`s,
/// only for TLS endpoints) and connects again when they differ.
struct TLSFiles: Hashable, Sendable {
    private struct Stamp: Hashable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modifiedSeconds: Int
        var modifiedNanoseconds: Int
    }

    /// Per file, in the order CA, certificate, key; `nil` for a file not named or not there.
    private let stamps: [Stamp?]

    init(_ tls: DockerEndpoint.TLS) {
        stamps = [tls.caCertificatePath, tls.clientCertificatePath, tls.clientKeyPath].map { path in
            var status = stat()
            guard let path, stat(path, &status) == 0 else { return nil }
            return Stamp(
                device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int64(status.st_size),
                modifiedSeconds: status.st_mtim.tv_sec, modifiedNanoseconds: status.st_mtim.tv_nsec)
        }
    }
}
