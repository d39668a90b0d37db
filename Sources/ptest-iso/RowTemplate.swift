import ArgumentParser

/// `--format`: `table`, `json`, or a template in the style of Go's text/template as docker
/// takes it — `{{.ID}}\t{{.Status}}`, `{{.Label "team"}}`, and a leading `table ` for aligned
/// columns under a header. Only field references are supported (no pipelines or functions).
enum OutputFormat: Equatable {
    case table
    case json
    case template(RowTemplate)

    init(_ text: String, fields: [String]) throws {
        switch text {
        case "table": self = .table
        case "json": self = .json
        default: self = .template(try RowTemplate(text, fields: fields))
        }
    }
}

struct RowTemplate: Equatable {
    enum Part: Equatable {
        case text(String)
        case field(String)
        case label(String)
    }

    let parts: [Part]
    /// `table …`: the rows are aligned under a header of the field names.
    let aligned: Bool

    /// - Throws: `ValidationError` naming an unknown field and listing the known ones, or an
    ///   unclosed or unsupported action.
    init(_ text: String, fields: [String]) throws {
        var source = Substring(text)
        aligned = source.hasPrefix("table ")
        if aligned { source = source.dropFirst("table ".count) }
        // The shell hands over `\t` and `\n` as two characters; docker turns them into the characters.
        let unescaped = source.replacingOccurrences(of: "\\t", with: "\t").replacingOccurrences(of: "\\n", with: "\n")
        var parts: [Part] = []
        var rest = Substring(unescaped)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw ValidationError("--format: '{{' without '}}' in '\(text)'")
            }
            let action = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            parts.append(try Self.part(action, fields: fields))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    private static func part(_ action: String, fields: [String]) throws -> Part {
        let known = "fields: " + fields.map { ".\($0)" }.joined(separator: ", ") + ", .Label \"KEY\""
        guard action.hasPrefix(".") else { throw ValidationError("--format: '{{\(action)}}' is not supported; \(known)") }
        let words = action.dropFirst().split(separator: " ", maxSplits: 1).map(String.init)
        if words.first == "Label", words.count == 2, words[1].count >= 2, words[1].hasPrefix("\""), words[1].hasSuffix("\"") {
            return .label(String(words[1].dropFirst().dropLast()))
        }
        guard words.count == 1, let name = words.first, fields.contains(name) else {
            throw ValidationError("--format: no field '\(action)'; \(known)")
        }
        return .field(name)
    }

    /// The header cells of an aligned template, one per tab-separated column.
    var header: String {
        parts.map { part in
            switch part {
            case .text(let text): text
            case .field(let name): name.uppercased()
            case .label(let key): key.uppercased()
            }
        }.joined()
    }

    func render(_ fields: [String: String], labels: [String: String]) -> String {
        parts.map { part in
            switch part {
            case .text(let text): text
            case .field(let name): fields[name] ?? ""
            case .label(let key): labels[key] ?? ""
            }
        }.joined()
    }

    /// Prints one line per row; an aligned template's columns (split at tabs) are padded.
    func print(_ rows: [(fields: [String: String], labels: [String: String])]) {
        let lines = rows.map { render($0.fields, labels: $0.labels) }
        guard aligned else { return lines.forEach { Swift.print($0) } }
        let table = ([header] + lines).map { $0.components(separatedBy: "\t") }
        let width = table.map(\.count).max() ?? 0
        printTable(table.map { $0 + Array(repeating: "", count: width - $0.count) })
    }
}
