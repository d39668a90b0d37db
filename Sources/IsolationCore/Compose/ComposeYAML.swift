internal import Yams

/// Reads one compose file's YAML into ``ComposeNode``s: nesting checked before the YAML
/// composer recurses, aliases and merge keys expanded under a node budget.
enum ComposeYAML {
    /// - Throws: ``ComposeError`` for invalid YAML (with its line), an empty file, more than
    ///   ``ComposeLimits/maxNodes`` nodes after alias expansion, or deeper nesting than
    ///   ``ComposeLimits/maxDepth``.
    static func parse(_ text: String, file: String) throws -> ComposeNode {
        try ComposeNestingScan.check(text, file: file)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw describe(error, file: file)
        }
        guard let root else {
            throw ComposeError.at(ComposeLocation(file: file, line: 1), nil, "the file is empty; a compose file needs at least 'services'")
        }
        var expansion = Expansion(file: file)
        return try expansion.convert(root, depth: 1)
    }

    private static func describe(_ error: YamlError, file: String) -> IsolationError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let while_ = context.map { " (\($0.text) at line \($0.mark.line))" } ?? ""
            return ComposeError.at(ComposeLocation(file: file, line: mark.line), nil, "not valid YAML: \(problem)\(while_)")
        case .reader(let problem, _, _, _):
            return ComposeError.at(nil, nil, "\(file): not readable as YAML: \(problem)")
        default:
            return ComposeError.at(nil, nil, "\(file): not valid YAML: \(error)")
        }
    }

    /// One walk over the composed tree. Yams hands out an alias as a copy of its anchor's node, so
    /// a file of nested aliases is cheap to compose but exponential to walk: every node converted
    /// counts against the budget, which stops the walk long before memory or time run out.
    private struct Expansion {
        let file: String
        var nodes = 0

        init(file: String) {
            self.file = file
        }

        mutating func convert(_ node: Node, depth: Int) throws -> ComposeNode {
            let location = ComposeLocation(file: file, line: node.mark?.line ?? 0)
            nodes += 1
            guard nodes <= ComposeLimits.maxNodes else {
                throw ComposeError.at(
                    location, nil,
                    "more than \(ComposeLimits.maxNodes) YAML nodes once aliases are expanded; "
                        + "an alias repeated inside aliases multiplies (a 'billion laughs' file?)")
            }
            guard depth <= ComposeLimits.maxDepth else {
                throw ComposeError.at(location, nil, "nested deeper than \(ComposeLimits.maxDepth) levels")
            }
            switch node {
            case .scalar(let scalar):
                let isNull = scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
                return ComposeNode(.scalar(scalar.string, isNull: isNull), at: location)
            case .sequence(let sequence):
                var items: [ComposeNode] = []
                for item in sequence { items.append(try convert(item, depth: depth + 1)) }
                return ComposeNode(.sequence(items), at: location)
            case .mapping(let mapping):
                return ComposeNode(.mapping(try entries(of: mapping, depth: depth)), at: location)
            }
        }

        /// Keys in written order, then the keys merge keys bring that are not written
        /// (YAML's merge: an explicit key wins, and among merged mappings the first one listed).
        private mutating func entries(of mapping: Node.Mapping, depth: Int) throws -> [ComposeEntry] {
            var written: [ComposeEntry] = []
            var seen: [String: Int] = [:]
            var merged: [ComposeEntry] = []
            var mergedSeen: Set<String> = []
            for (key, value) in mapping {
                let keyLocation = ComposeLocation(file: file, line: key.mark?.line ?? 0)
                guard case .scalar(let keyScalar) = key else {
                    throw ComposeError.at(keyLocation, nil, "a mapping key must be a plain string")
                }
                if keyScalar.style == .plain && keyScalar.string == "<<" {
                    for source in try mergeSources(value, at: keyLocation, depth: depth) {
                        for entry in source where mergedSeen.insert(entry.key).inserted { merged.append(entry) }
                    }
                    continue
                }
                if let first = seen[keyScalar.string] {
                    throw ComposeError.at(keyLocation, nil, "key '\(keyScalar.string)' is repeated (first at line \(first))")
                }
                seen[keyScalar.string] = keyLocation.line
                written.append(
                    ComposeEntry(key: keyScalar.string, keyLocation: keyLocation, value: try convert(value, depth: depth + 1)))
            }
            return written + merged.filter { seen[$0.key] == nil }
        }

        private mutating func mergeSources(_ value: Node, at location: ComposeLocation, depth: Int) throws -> [[ComposeEntry]] {
            switch value {
            case .mapping(let mapping):
                return [try entries(of: mapping, depth: depth + 1)]
            case .sequence(let sequence):
                return try sequence.map { item in
                    guard case .mapping(let mapping) = item else {
                        throw ComposeError.at(location, "<<", "merges mappings only: give an alias of a mapping or a list of them")
                    }
                    return try entries(of: mapping, depth: depth + 1)
                }
            case .scalar:
                throw ComposeError.at(location, "<<", "merges mappings only: give an alias of a mapping or a list of them")
            }
        }
    }
}
