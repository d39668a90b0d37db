/// Errors of the compose loader: every one is an ``IsolationError/Code/invalidSpec`` on the
/// field `compose`, and its message starts with `file:line` and the key path when one applies.
enum ComposeError {
    static func at(_ location: ComposeLocation?, _ path: String?, _ problem: String) -> IsolationError {
        var parts: [String] = []
        if let location { parts.append(location.description) }
        if let path, !path.isEmpty { parts.append(path) }
        parts.append(problem)
        return IsolationError(.invalidSpec, field: "compose", parts.joined(separator: ": "))
    }

    static func at(_ node: ComposeNode, _ path: String, _ problem: String) -> IsolationError {
        at(node.location, path, problem)
    }

    /// `'word'; did you mean 'closest'?` or just `'word'`.
    static func hint(_ word: String, among names: [String]) -> String {
        EditDistance.closest(to: word, in: names).map { "; did you mean '\($0)'?" } ?? ""
    }
}

/// Where a node was written.
struct ComposeLocation: Sendable, Hashable, CustomStringConvertible {
    var file: String
    var line: Int

    var description: String { "\(file):\(line)" }
}
