/// A node of a compose file's YAML with aliases and merge keys (`<<`) already expanded. Each
/// node keeps the file and line it was written at, through interpolation and the merge of
/// several files, so an error found at any step names where to look.
struct ComposeNode: Sendable {
    enum Value: Sendable {
        /// `isNull`: a plain `~`, `null` or nothing at all (`KEY:`), which several keys read as
        /// "unset" (an `environment` entry takes the caller's value) rather than as text.
        case scalar(String, isNull: Bool)
        case sequence([ComposeNode])
        case mapping([ComposeEntry])
    }

    var value: Value
    var location: ComposeLocation

    init(_ value: Value, at location: ComposeLocation) {
        self.value = value
        self.location = location
    }

    var isNull: Bool {
        if case .scalar(_, isNull: true) = value { return true }
        return false
    }

    var entries: [ComposeEntry]? {
        if case .mapping(let entries) = value { return entries }
        return nil
    }

    var items: [ComposeNode]? {
        if case .sequence(let items) = value { return items }
        return nil
    }

    /// The value of `key` in a mapping.
    subscript(key: String) -> ComposeNode? {
        entries?.first { $0.key == key }?.value
    }
}

/// A `key: value` pair; the key's own line is where an unknown key is reported.
struct ComposeEntry: Sendable {
    var key: String
    var keyLocation: ComposeLocation
    var value: ComposeNode
}

extension Array where Element == ComposeEntry {
    subscript(key: String) -> ComposeNode? {
        first { $0.key == key }?.value
    }
}
