import Foundation

/// Where this shared library was loaded from.
enum LibraryLocation {
    static let fileName = "libCPtestIsolation.so"

    /// The `ptest-iso` binary in the library's directory: the wheel ships it in `_lib/`, and
    /// `swift build` puts both in the same build folder.
    static func siblingReaper() -> URL? {
        guard let library = loadedFrom() else { return nil }
        let candidate = library.deletingLastPathComponent().appendingPathComponent("ptest-iso")
        return FileManager.default.isExecutableFile(atPath: candidate.path) ? candidate : nil
    }

    /// The file this library was mapped from, read from the process's mappings (`dladdr` needs
    /// `_GNU_SOURCE`, which Swift's Glibc module lacks).
    static func loadedFrom() -> URL? {
        // Read to the end: /proc files report a size of zero, which whole-file readers trust.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/maps"), let data = try? handle.readToEnd() else { return nil }
        let maps = String(decoding: data, as: UTF8.self)
        for line in maps.split(separator: "\n") {
            guard let slash = line.firstIndex(of: "/") else { continue }
            let path = String(line[slash...])
            if path.hasSuffix("/" + fileName) { return URL(fileURLWithPath: path) }
        }
        return nil
    }
}
