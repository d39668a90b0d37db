/// Project names as Compose makes them: lowercase letters, digits, `-` and `_`, starting with
/// a letter or a digit (Docker resource names are built from it).
enum ComposeProjectName {
    /// `nil` when nothing usable is left.
    static func normalize(_ name: String) -> String? {
        let kept = name.lowercased().unicodeScalars.filter {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
        let trimmed = String(String.UnicodeScalarView(kept)).drop { $0 == "-" || $0 == "_" }
        return trimmed.isEmpty ? nil : String(trimmed)
    }
}

extension ComposeProjectName {
    /// Compose's service names: `[a-zA-Z0-9][a-zA-Z0-9._-]*`; they become container names and DNS aliases.
    static func isServiceName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCIIAlphanumeric else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCIIAlphanumeric || $0 == "." || $0 == "-" || $0 == "_" }
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIIAlphanumeric: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || ("0"..."9").contains(self)
    }
}
