import Foundation

/// What a spec's local inputs hold now, for keys that must change when they do: the contents
/// of a requirement file, the wheels in a find-links directory.
enum InputFingerprint {
    /// A hash of the file's contents; `nil` when it cannot be read.
    static func file(_ path: String) -> String? {
        guard let contents = try? Data(contentsOf: URL(fileURLWithPath: path)) else { return nil }
        return Hash128.hex(contents)
    }

    /// The directory's entries with their sizes and modification times (a wheel added or
    /// replaced changes it); empty when it cannot be listed.
    static func listing(_ directory: String) -> String {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        return names.map { name -> String in
            let attributes = try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)
            return "\(name):\((attributes?[.size] as? Int) ?? 0):\((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        }.joined(separator: ",")
    }
}
