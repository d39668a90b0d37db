/// Compose's variable interpolation, applied to every value (not to keys) of each file before
/// the files are merged: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
/// `${VAR:?error}`, `${VAR?error}`, `${VAR:+alternative}`, `${VAR+alternative}`, and `$$` for
/// a literal `$`. A default may itself hold `${…}`; it is expanded only when it is used.
struct ComposeInterpolation {
    /// The caller's environment over the `.env` file's values.
    let variables: [String: String]
    /// Variables used with no value and no default: Compose warns and substitutes "".
    private(set) var warnings: [String] = []
    private var warned: Set<String> = []

    init(variables: [String: String]) {
        self.variables = variables
    }

    /// Interpolates every scalar of a tree; `path` names the node in errors.
    mutating func interpolate(_ node: ComposeNode, path: String = "") throws -> ComposeNode {
        var node = node
        switch node.value {
        case .scalar(let text, let isNull):
            guard !isNull, text.contains("$") else { return node }
            node.value = .scalar(try interpolate(text, at: node.location, path: path), isNull: false)
        case .sequence(let items):
            node.value = .sequence(try items.enumerated().map { try interpolate($1, path: ComposePath.index(path, $0)) })
        case .mapping(let entries):
            node.value = .mapping(
                try entries.map { entry in
                    var entry = entry
                    entry.value = try interpolate(entry.value, path: ComposePath.key(path, entry.key))
                    return entry
                })
        }
        return node
    }

    /// - Parameter strict: a `$` that starts no variable is an error, as in Compose files;
    ///   env files are lenient and keep it (a password may hold one).
    mutating func interpolate(
        _ text: String, at location: ComposeLocation, path: String, strict: Bool = true,
        extra: [String: String] = [:]
    ) throws -> String {
        var scanner = Template(
            characters: Array(text), location: location, path: path, strict: strict)
        let variables = self.variables
        return try scanner.expand(upTo: scanner.characters.count) { name in
            extra[name] ?? variables[name]
        } warn: { name in
            if warned.insert(name).inserted {
                warnings.append("\(location): the variable '\(name)' is not set; it is read as an empty string")
            }
        }
    }

    /// One value's text being expanded.
    private struct Template {
        let characters: [Character]
        let location: ComposeLocation
        let path: String
        let strict: Bool
        var index = 0

        mutating func expand(
            upTo end: Int, lookup: (String) -> String?, warn: (String) -> Void
        ) throws -> String {
            var result = ""
            while index < end {
                let character = characters[index]
                guard character == "$", index + 1 < end else {
                    if character == "$" && strict { throw invalid("a '$' at the end") }
                    result.append(character)
                    index += 1
                    continue
                }
                let next = characters[index + 1]
                if next == "$" {
                    result.append("$")
                    index += 2
                } else if next == "{" {
                    index += 2
                    result += try braced(end: end, lookup: lookup, warn: warn)
                } else if Self.startsName(next) {
                    index += 1
                    let name = readName(end: end)
                    if let value = lookup(name) { result += value } else { warn(name) }
                } else if strict {
                    throw invalid("'$\(next)' starts no variable")
                } else {
                    result.append("$")
                    index += 1
                }
            }
            return result
        }

        /// After `${`: the name, an optional operator and its argument, and the closing `}`.
        private mutating func braced(end: Int, lookup: (String) -> String?, warn: (String) -> Void) throws -> String {
            let name = readName(end: end)
            guard !name.isEmpty else { throw invalid("'${' is not followed by a variable name") }
            guard index < end else { throw invalid("'${\(name)' is not closed with '}'") }
            if characters[index] == "}" {
                index += 1
                if let value = lookup(name) { return value }
                warn(name)
                return ""
            }
            var operation = String(characters[index])
            if operation == ":" {
                guard index + 1 < end else { throw invalid("'${\(name):' is not closed with '}'") }
                operation.append(characters[index + 1])
            }
            guard ["-", ":-", "?", ":?", "+", ":+"].contains(operation) else {
                throw invalid(
                    "'${\(name)\(operation)' is not one of ${\(name)}, ${\(name):-default}, ${\(name):?error}, ${\(name):+alternative}")
            }
            index += operation.count
            let argumentStart = index
            let argumentEnd = try closingBrace(from: argumentStart, end: end, name: name)
            let value = lookup(name)
            let unsetOrEmpty = operation.hasPrefix(":") ? (value ?? "").isEmpty : value == nil
            // Expanded only when used, so an unused default's own `${X:?}` does not fail.
            func argument() throws -> String {
                var inner = self
                inner.index = argumentStart
                return try inner.expand(upTo: argumentEnd, lookup: lookup, warn: warn)
            }
            defer { index = argumentEnd + 1 }
            switch operation.last {
            case "-":
                return unsetOrEmpty ? try argument() : value ?? ""
            case "?":
                guard unsetOrEmpty else { return value ?? "" }
                let message = try argument()
                throw ComposeError.at(
                    location, path,
                    "required variable \(name) is missing a value" + (message.isEmpty ? "" : ": \(message)"))
            default:
                return unsetOrEmpty ? "" : try argument()
            }
        }

        /// The `}` closing a `${…}` whose argument starts at `start`, past nested `${…}`.
        private func closingBrace(from start: Int, end: Int, name: String) throws -> Int {
            var depth = 0
            var position = start
            while position < end {
                switch characters[position] {
                case "$" where position + 1 < end && characters[position + 1] == "$":
                    position += 1
                case "$" where position + 1 < end && characters[position + 1] == "{":
                    depth += 1
                    position += 1
                case "}":
                    if depth == 0 { return position }
                    depth -= 1
                default:
                    break
                }
                position += 1
            }
            throw invalid("'${\(name)' is not closed with '}'")
        }

        private mutating func readName(end: Int) -> String {
            let start = index
            while index < end, Self.continuesName(characters[index]), index == start ? Self.startsName(characters[index]) : true {
                index += 1
            }
            return String(characters[start..<index])
        }

        private static func startsName(_ character: Character) -> Bool {
            character == "_" || (character.isASCII && character.isLetter)
        }

        private static func continuesName(_ character: Character) -> Bool {
            character == "_" || (character.isASCII && (character.isLetter || character.isNumber))
        }

        private func invalid(_ problem: String) -> IsolationError {
            ComposeError.at(location, path, "invalid interpolation: \(problem) (write '$$' for a literal '$')")
        }
    }
}
