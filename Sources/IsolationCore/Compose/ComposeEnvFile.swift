import Foundation

/// `env_file` and the project's `.env`: `KEY=VALUE` lines, `#` comments, an optional `export `,
/// values in single quotes (literal), double quotes (escapes, may span lines) or bare (trimmed,
/// ` #` starts a comment). Double-quoted and bare values expand `${VAR}` from the lines above,
/// then from the variables given, as Compose's dotenv does; a `KEY` alone has no value.
enum ComposeEnvFile {
    /// - Throws: ``ComposeError`` naming the file when it is missing, unreadable, too large or malformed.
    static func load(
        _ path: String, shownAs shown: String, variables: [String: String], at reference: ComposeLocation?
    ) throws -> [(key: String, value: String?)] {
        let text: String
        do {
            text = try ComposeFiles.read(path)
        } catch let error as ComposeFiles.Failure {
            throw ComposeError.at(reference, nil, "env file \(shown): \(error.problem)")
        }
        return try parse(text, file: shown, variables: variables)
    }

    static func parse(_ text: String, file: String, variables: [String: String]) throws -> [(key: String, value: String?)] {
        var result: [(key: String, value: String?)] = []
        var defined: [String: String] = [:]
        var interpolation = ComposeInterpolation(variables: variables)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        var number = 0
        while number < lines.count {
            let location = ComposeLocation(file: file, line: number + 1)
            var line = lines[number].trimmingCharacters(in: .whitespaces)
            number += 1
            if line.hasSuffix("\r") { line.removeLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "=") else {
                try checkName(line, at: location)
                result.append((line, nil))
                continue
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            try checkName(key, at: location)
            var raw = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            let value: String
            if let quote = raw.first, quote == "\"" || quote == "'" {
                // A quoted value may go on over the next lines until its closing quote.
                while !closes(raw, quote: quote) {
                    guard number < lines.count else {
                        throw ComposeError.at(location, key, "the value's \(quote) quote is never closed")
                    }
                    raw += "\n" + lines[number]
                    number += 1
                }
                let body = try unquote(raw, quote: quote, key: key, at: location)
                value =
                    quote == "'"
                    ? body
                    : try interpolation.interpolate(body, at: location, path: key, strict: false, extra: defined)
            } else {
                let bare = raw.range(of: " #").map { String(raw[..<$0.lowerBound]) } ?? raw
                value = try interpolation.interpolate(
                    bare.trimmingCharacters(in: .whitespaces), at: location, path: key, strict: false, extra: defined)
            }
            defined[key] = value
            result.append((key, value))
        }
        return result
    }

    private static func checkName(_ name: String, at location: ComposeLocation) throws {
        guard !name.isEmpty, !name.contains(where: { $0.isWhitespace }) else {
            throw ComposeError.at(location, nil, "'\(ComposePath.excerpt(name))' is not a KEY=VALUE line")
        }
    }

    /// Whether `raw`, which starts with `quote`, holds its closing quote.
    private static func closes(_ raw: String, quote: Character) -> Bool {
        var escaped = false
        for character in raw.dropFirst() {
            if escaped {
                escaped = false
            } else if character == "\\" && quote == "\"" {
                escaped = true
            } else if character == quote {
                return true
            }
        }
        return false
    }

    /// The text between the quotes; after the closing quote only a comment may follow.
    private static func unquote(_ raw: String, quote: Character, key: String, at location: ComposeLocation) throws -> String {
        var body = ""
        var escaped = false
        var rest = Substring("")
        var index = raw.index(after: raw.startIndex)
        while index < raw.endIndex {
            let character = raw[index]
            if escaped {
                switch character {
                case "n": body.append("\n")
                case "t": body.append("\t")
                case "r": body.append("\r")
                case "\"", "\\": body.append(character)
                // `\$` is a literal `$`: doubled for the interpolation that follows.
                case "$": body.append("$$")
                default: body.append("\\"); body.append(character)
                }
                escaped = false
            } else if character == "\\" && quote == "\"" {
                escaped = true
            } else if character == quote {
                rest = raw[raw.index(after: index)...]
                break
            } else {
                body.append(character)
            }
            index = raw.index(after: index)
        }
        let trailing = rest.trimmingCharacters(in: .whitespaces)
        guard trailing.isEmpty || trailing.hasPrefix("#") else {
            throw ComposeError.at(location, key, "text after the closing quote: '\(ComposePath.excerpt(trailing))'")
        }
        return body
    }
}
