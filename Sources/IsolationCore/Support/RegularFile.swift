import Foundation

/// Small files read where another program keeps them (a pyenv shim, a version file, the kept
/// interpreter answers): only regular files, as pyenv's `[ -f ]` takes them (a FIFO there would
/// block the read forever), and only their first bytes.
enum RegularFile {
    static func isRegular(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// At most the first `count` bytes of the regular file at `path`; nil when it is not one or cannot be read.
    static func head(_ path: String, upTo count: Int) -> Data? {
        guard isRegular(path), let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        return try? handle.read(upToCount: count) ?? Data()
    }
}
