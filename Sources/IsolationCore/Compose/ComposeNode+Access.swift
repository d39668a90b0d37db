/// Typed reads of a node. `path` is the key path the error names (`services.web.ports[1]`).
/// Values are read from their text, after interpolation, as Compose does: `8080`, `"8080"`
/// and `${PORT}` are the same port.
extension ComposeNode {
    func mapping(_ path: String) throws -> [ComposeEntry] {
        guard let entries else { throw ComposeError.at(self, path, "must be a mapping (key: value), not \(kind)") }
        return entries
    }

    /// A mapping whose keys must be among `known`; `x-` extension keys are allowed and skipped.
    /// An empty (null) value reads as an empty mapping.
    func fields(_ path: String, known: [String]) throws -> [ComposeEntry] {
        if isNull { return [] }
        let entries = try mapping(path)
        for entry in entries where !known.contains(entry.key) && !entry.key.hasPrefix("x-") {
            throw ComposeError.at(
                entry.keyLocation, ComposePath.key(path, entry.key),
                ComposeKeys.unknownProblem(entry.key, known: known))
        }
        return entries.filter { !$0.key.hasPrefix("x-") }
    }

    func sequence(_ path: String) throws -> [ComposeNode] {
        guard let items else { throw ComposeError.at(self, path, "must be a list, not \(kind)") }
        return items
    }

    func string(_ path: String) throws -> String {
        guard case .scalar(let text, _) = value else { throw ComposeError.at(self, path, "must be a string, not \(kind)") }
        return text
    }

    func nonEmptyString(_ path: String) throws -> String {
        let text = try string(path)
        guard !text.isEmpty else { throw ComposeError.at(self, path, "must not be empty") }
        return text
    }

    /// Compose's booleans: `true`/`false`, and YAML 1.1's `yes`/`no`/`on`/`off`, any case.
    func bool(_ path: String) throws -> Bool {
        switch try string(path).lowercased() {
        case "true", "yes", "y", "on": return true
        case "false", "no", "n", "off": return false
        default: throw ComposeError.at(self, path, "must be true or false, not '\(ComposePath.excerpt(try string(path)))'")
        }
    }

    func int(_ path: String, atLeast minimum: Int = 0) throws -> Int {
        let text = try string(path)
        guard let number = Int(text), number >= minimum else {
            throw ComposeError.at(self, path, "must be a whole number of at least \(minimum), not '\(ComposePath.excerpt(text))'")
        }
        return number
    }

    func double(_ path: String) throws -> Double {
        let text = try string(path)
        guard let number = Double(text), number.isFinite, number >= 0 else {
            throw ComposeError.at(self, path, "must be a number of at least 0, not '\(ComposePath.excerpt(text))'")
        }
        return number
    }

    /// A list of strings, or one string as a list of one where Compose takes either.
    func strings(_ path: String, singleAllowed: Bool = false) throws -> [String] {
        if singleAllowed, case .scalar(let text, _) = value { return [text] }
        return try sequence(path).enumerated().map { try $1.string(ComposePath.index(path, $0)) }
    }

    /// A map of strings written as a mapping or as a `KEY=VALUE` list (``ComposeMerge`` makes
    /// lists mappings first). A `nil` value is a key with no value (`KEY` alone, or `KEY:`).
    func stringMap(_ path: String) throws -> [(key: String, value: String?, location: ComposeLocation)] {
        if isNull { return [] }
        if let items {
            return try items.enumerated().map { index, item in
                let (key, value) = try ComposeMerge.splitAssignment(try item.string(ComposePath.index(path, index)))
                guard !key.isEmpty else { throw ComposeError.at(item, ComposePath.index(path, index), "has no name before '='") }
                return (key, value, item.location)
            }
        }
        return try mapping(path).map { entry in
            guard !entry.value.isNull else { return (entry.key, nil, entry.keyLocation) }
            return (entry.key, try entry.value.string(ComposePath.key(path, entry.key)), entry.keyLocation)
        }
    }

    private var kind: String {
        switch value {
        case .scalar(let text, let isNull): return isNull ? "empty" : "the string '\(ComposePath.excerpt(text))'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// Key paths as errors print them: `services.web.ports[1]`.
enum ComposePath {
    static func key(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    static func index(_ path: String, _ index: Int) -> String {
        "\(path)[\(index)]"
    }

    /// A value quoted in a message, cut short so a huge one does not flood it.
    static func excerpt(_ text: String) -> String {
        text.count <= 60 ? text : String(text.prefix(57)) + "..."
    }
}
