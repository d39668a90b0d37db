import Foundation

/// What interpreters answered about themselves, kept in the home for the next process.
///
/// Every test process (each xdist worker, each `ptest-iso create`) asked its interpreter once:
/// a process start of about 10 ms before its first venv. The answer of a binary depends on its
/// file and where it sits: it is kept with a stamp of the binary (device, inode, size, modification
/// and change times) and of the `pyvenv.cfg` Python reads beside it or one directory up, and is
/// used only while all of them are the same. Only binaries (ELF files) are remembered: a script
/// (a pyenv shim running the shell, a wrapper) may answer differently in another environment.
struct InterpreterAnswers: Sendable {
    /// The file (`interpreters.json` in the home).
    let file: URL
    /// Entries kept at most; the oldest go first.
    static let limit = 64
    /// A file larger than this is not read (it is rewritten with the next answer).
    static let maximumBytes = 256 * 1024

    private struct Entry: Codable {
        var path: String
        var stamp: [Int64]
        var interpreter: PythonInterpreter
    }

    /// The remembered answer for the interpreter at `path`, when it was kept with this `stamp`
    /// (``stamp(of:)``, taken before asking, so an answer is never kept for a file changed meanwhile).
    func answer(for path: String, stamp: [Int64]) -> PythonInterpreter? {
        read().last { $0.path == path && $0.stamp == stamp }?.interpreter
    }

    /// Remembers what the binary at `path`, stamped `stamp`, answered. A failure to write costs
    /// the next process a question.
    func remember(_ interpreter: PythonInterpreter, for path: String, stamp: [Int64]) {
        var entries = read().filter { $0.path != path }
        entries.append(Entry(path: path, stamp: stamp, interpreter: interpreter))
        guard let data = try? JSONEncoder().encode(Array(entries.suffix(Self.limit))) else { return }
        // Written beside and renamed over: a reader in another process sees the old file or the new one.
        try? data.write(to: file, options: .atomic)
    }

    private func read() -> [Entry] {
        guard let data = RegularFile.head(file.path, upTo: Self.maximumBytes + 1), data.count <= Self.maximumBytes,
            let entries = try? JSONDecoder().decode([Entry].self, from: data)
        else { return [] }
        return entries
    }

    /// The binary's file and the `pyvenv.cfg` files that decide its answer, or nil when `path` is
    /// not a binary (a script's answer may depend on its environment).
    static func stamp(of path: String) -> [Int64]? {
        guard RegularFile.head(path, upTo: 4) == Data([0x7F, 0x45, 0x4C, 0x46]), let binary = fileStamp(path) else { return nil }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        let configurations = [directory, directory.deletingLastPathComponent()].map {
            fileStamp($0.appendingPathComponent("pyvenv.cfg").path) ?? [0, 0, 0, 0, 0, 0, 0]
        }
        return binary + configurations.flatMap { $0 }
    }

    private static func fileStamp(_ path: String) -> [Int64]? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return [
            Int64(truncatingIfNeeded: info.st_dev), Int64(truncatingIfNeeded: info.st_ino), Int64(info.st_size),
            Int64(info.st_mtim.tv_sec), Int64(info.st_mtim.tv_nsec), Int64(info.st_ctim.tv_sec), Int64(info.st_ctim.tv_nsec),
        ]
    }
}
