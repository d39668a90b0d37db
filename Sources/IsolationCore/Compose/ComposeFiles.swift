import Foundation

/// Reading the files a compose project names, bounded in size.
enum ComposeFiles {
    struct Failure: Error {
        var problem: String
    }

    /// The file as UTF-8 text.
    ///
    /// - Throws: ``Failure`` when it is missing, a directory, larger than
    ///   ``ComposeLimits/maxFileBytes`` (checked before reading) or not UTF-8.
    static func read(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Failure(problem: "no such file")
        }
        guard !isDirectory.boolValue else { throw Failure(problem: "is a directory, not a file") }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        guard size <= ComposeLimits.maxFileBytes else {
            throw Failure(problem: "\(size) bytes; at most \(ComposeLimits.maxFileBytes) are read")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure(problem: "cannot be opened for reading") }
        defer { try? handle.close() }
        // Read at most one byte past the limit, in case the file grew since it was measured.
        let data = (try? handle.read(upToCount: ComposeLimits.maxFileBytes + 1)) ?? Data()
        guard data.count <= ComposeLimits.maxFileBytes else {
            throw Failure(problem: "more than \(ComposeLimits.maxFileBytes) bytes; at most that many are read")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw Failure(problem: "is not UTF-8 text") }
        return text
    }

    /// `path` made absolute against `directory`, with `~/` taken from `home`.
    static func absolute(_ path: String, against directory: String, home: String?) -> String {
        var path = path
        if path == "~" || path.hasPrefix("~/"), let home { path = home + path.dropFirst() }
        let url =
            path.hasPrefix("/")
            ? URL(fileURLWithPath: path) : URL(fileURLWithPath: directory, isDirectory: true).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }
}
