public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Where the reaper of one session keeps its files, under `<home>/reapers/`:
/// `<key>.lock` (held by the live reaper; it names the session), `<key>.log`,
/// and the socket clients connect to.
public struct ReaperPaths: Sendable {
    public let session: String
    public let directory: URL
    public let lock: URL
    public let log: URL
    /// `<key>.sock` beside the lock, or under `/tmp` when that path is too long for a socket address.
    public let socket: String

    public init(home: URL, session: String) {
        self.session = session
        directory = home.appendingPathComponent("reapers")
        // Session names are free text: the file names use a hash of them.
        let key = String(Hash128.hex(Data(session.utf8)).prefix(20))
        lock = directory.appendingPathComponent("\(key).lock")
        log = directory.appendingPathComponent("\(key).log")
        let beside = directory.appendingPathComponent("\(key).sock").path
        if beside.utf8.count <= UnixSocket.maxPathBytes {
            socket = beside
        } else {
            let hashed = Hash128.hex(Data("\(home.standardizedFileURL.path)\n\(session)".utf8)).prefix(24)
            socket = "/tmp/ptest-iso-\(getuid())/\(hashed).sock"
        }
    }

    /// Creates the directories (mode 0700: the socket admits any local client that can reach it).
    ///
    /// - Throws: `ioFailure` when the socket's directory under `/tmp` exists but is not a
    ///   private directory of this user (another user could have made it first).
    func prepare() throws {
        for directory in [directory, URL(fileURLWithPath: socket).deletingLastPathComponent()] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            var status = stat()
            guard lstat(directory.path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR, status.st_uid == getuid() else {
                throw IsolationError(
                    .ioFailure,
                    "\(directory.path) is not a directory of this user; remove it, or set PTEST_ISO_HOME to a shorter path")
            }
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory.path)
        }
    }

    /// The sessions that ever had a reaper under `home` (read from their lock files).
    static func sessions(home: URL) -> [ReaperPaths] {
        let directory = home.appendingPathComponent("reapers")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".lock") }.compactMap { name in
            guard let session = try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8), !session.isEmpty
            else { return nil }
            return ReaperPaths(home: home, session: session)
        }
    }
}
