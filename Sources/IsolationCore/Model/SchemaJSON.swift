public import Foundation

extension EnvironmentSpec {
    /// Reads a spec written as JSON in the project's one dialect: snake_case field names,
    /// as `ptest-iso inspect --json` prints a spec and Python writes one.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the field (``IsolationError/field``)
    ///   and what it must be; an unknown field is an error naming the closest known one.
    public static func decode(json: Data) throws -> EnvironmentSpec {
        try SchemaJSON.decode(EnvironmentSpec.self, from: json)
    }
}

extension JobSpec {
    /// Reads a job written as JSON in the project's snake_case dialect.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the field and what it must be.
    public static func decode(json: Data) throws -> JobSpec {
        try SchemaJSON.decode(JobSpec.self, from: json)
    }
}

/// The one JSON dialect of every front (the CLI's `--spec` and `--json`, the C ABI, the
/// service): snake_case keys, dates as Unix seconds, slashes unescaped, and decoding
/// errors that name the field in that dialect.
///
/// Swift types keep camelCase coding keys (the state database stores them so); the
/// dialect is made at this edge. A camelCase key in the input is not silently taken as
/// its snake_case twin: it is an unknown field, so there is exactly one way to write each.
public enum SchemaJSON {
    /// The largest JSON document a front reads (a spec, a request): far above any real spec,
    /// small enough that a runaway input is refused before it is parsed.
    public static let maxDocumentBytes = 4 << 20

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in
            let key = path[path.count - 1]
            if key.intValue != nil { return key }
            return SchemaKey(Self.swiftName(of: key.stringValue))
        }
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }

    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting =
            pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Decodes `json` strictly.
    ///
    /// - Parameter code: the error code of a malformed document (``IsolationError/Code/invalidSpec``
    ///   for specs; fronts pass their own for requests).
    /// - Parameter what: names the document in an error that concerns no one field (`spec: not valid JSON`).
    /// - Throws: ``IsolationError`` with `code`, the field path in ``IsolationError/field``.
    public static func decode<T: Decodable>(
        _ type: T.Type, from json: Data, code: IsolationError.Code = .invalidSpec, what: String = "spec"
    ) throws -> T {
        guard json.count <= maxDocumentBytes else {
            throw IsolationError(code, "\(what): \(json.count) bytes of JSON; at most \(maxDocumentBytes) are read")
        }
        do {
            return try decoder().decode(type, from: json)
        } catch {
            let failure = Self.error(error, code: code)
            guard let plain = failure as? IsolationError, plain.field == nil else { throw failure }
            // Foundation reports a number too large for a whole-number field, or a fraction in one,
            // as invalid JSON with no path: the document's first number beyond 64 bits is named
            // instead, or else the fraction whose whole part the document decodes past.
            if let object = try? JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed]) {
                if let path = oversizedNumber(in: object, at: "") {
                    throw IsolationError(
                        code, field: path.isEmpty ? what : path,
                        "a number does not fit its field (whole numbers are 64-bit); give a smaller one")
                }
                var fractions: [Fraction] = []
                collectFractions(in: object, at: "", rebuild: { $0 }, into: &fractions)
                for fraction in fractions where decodesPast(type, fraction.wholeDocument, code: code) {
                    throw IsolationError(
                        code, field: fraction.path.isEmpty ? what : fraction.path, "must be a whole number, not \(fraction.value)")
                }
            }
            throw IsolationError(code, "\(what): \(plain.message)")
        }
    }

    /// A number with a fraction, and the document with its whole part in its place.
    struct Fraction {
        var path: String
        var value: Double
        var wholeDocument: Any
    }

    /// At most this many fractions are tried: a document is a few dozen fields, not thousands of numbers.
    static let maxFractionsTried = 16

    /// The numbers with a fraction in `value` (keys in order), each with the document rebuilt around its whole part.
    static func collectFractions(in value: Any, at path: String, rebuild: (Any) -> Any, into found: inout [Fraction]) {
        guard found.count < maxFractionsTried else { return }
        switch value {
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                collectFractions(
                    in: object[key] as Any, at: path.isEmpty ? key : "\(path).\(key)",
                    rebuild: {
                        var copy = object; copy[key] = $0; return rebuild(copy)
                    }, into: &found)
            }
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                collectFractions(
                    in: element, at: "\(path)[\(index)]",
                    rebuild: {
                        var copy = array; copy[index] = $0; return rebuild(copy)
                    },
                    into: &found)
            }
        case let number as NSNumber where !(number is Bool) && number.doubleValue.isFinite:
            let whole = number.doubleValue.rounded(.towardZero)
            if whole != number.doubleValue {
                found.append(Fraction(path: path, value: number.doubleValue, wholeDocument: rebuild(NSNumber(value: Int64(whole)))))
            }
        default:
            break
        }
    }

    /// Whether `document` decodes, or fails on a named field: its pathless failure is gone.
    private static func decodesPast<T: Decodable>(_ type: T.Type, _ document: Any, code: IsolationError.Code) -> Bool {
        guard let data = try? JSONSerialization.data(withJSONObject: document, options: [.fragmentsAllowed]) else { return false }
        do {
            _ = try decoder().decode(type, from: data)
            return true
        } catch {
            return (Self.error(error, code: code) as? IsolationError)?.field != nil
        }
    }

    /// The path of the first number (keys in order) too large for a 64-bit whole number.
    static func oversizedNumber(in value: Any, at path: String) -> String? {
        switch value {
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                if let found = oversizedNumber(in: object[key] as Any, at: path.isEmpty ? key : "\(path).\(key)") { return found }
            }
        case let array as [Any]:
            for (index, element) in array.enumerated() {
                if let found = oversizedNumber(in: element, at: "\(path)[\(index)]") { return found }
            }
        case let number as NSNumber where !(number is Bool) && abs(number.doubleValue) >= 0x1p63:
            return path
        default:
            break
        }
        return nil
    }

    /// The field path of `keys` in the dialect: `wait_for[0].http.port`.
    public static func fieldPath(_ keys: [any CodingKey]) -> String {
        String(keys.map { $0.intValue.map { "[\($0)]" } ?? "." + snakeName(of: $0.stringValue) }.joined().trimmingPrefix("."))
    }

    /// A decoding failure as an ``IsolationError`` naming the field; any other error as it is.
    public static func error(_ error: any Error, code: IsolationError.Code = .invalidSpec) -> any Error {
        func field(_ keys: [any CodingKey]) -> String? {
            let path = fieldPath(keys)
            return path.isEmpty ? nil : path
        }
        switch error {
        case let error as UnknownFieldError:
            let parent = field(error.path)
            let name = error.key.hasPrefix(SchemaKey.foreignMark) ? String(error.key.dropFirst()) : snakeName(of: error.key)
            let at = parent.map { "\($0).\(name)" } ?? name
            let hint =
                error.suggestion.map { "; did you mean '\($0)'?" }
                ?? (error.known.isEmpty ? "; it takes no fields" : "; known fields: \(error.known.joined(separator: ", "))")
            return IsolationError(
                code, field: at, "unknown field\(name.contains(where: \.isUppercase) ? " (fields are snake_case)" : "")\(hint)")
        case let error as DecodingError:
            switch error {
            case .typeMismatch(let type, let context):
                return IsolationError(code, field: field(context.codingPath), "must be \(describe(type))")
            case .valueNotFound(let type, let context):
                return IsolationError(code, field: field(context.codingPath), "must be \(describe(type)), not null")
            case .keyNotFound(let key, let context):
                return IsolationError(code, field: field(context.codingPath + [key]), "required")
            case .dataCorrupted(let context):
                guard !context.codingPath.isEmpty else {
                    let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
                    return IsolationError(code, "not valid JSON (\(underlying ?? context.debugDescription))")
                }
                return IsolationError(code, field: field(context.codingPath), context.debugDescription)
            @unknown default:
                return IsolationError(code, "\(error)")
            }
        default:
            return error
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type, is Int32.Type: "a whole number"
        case is Double.Type: "a number"
        case is [String].Type, is [Any].Type: "a list"
        case is [String: String].Type: "an object of strings"
        default: "an object"
        }
    }

    /// `index_url` → `indexUrl` (Swift's coding key); a key with a capital letter is not of the
    /// dialect and is marked, so it matches no coding key and is reported as the user wrote it.
    static func swiftName(of key: String) -> String {
        if key.contains(where: \.isUppercase) { return SchemaKey.foreignMark + key }
        let parts = key.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count > 1, !key.hasPrefix("_"), !key.hasSuffix("_") else { return key }
        return String(parts[0]) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// A value quoted back in an error, cut so a runaway input makes a line, not a page.
    public static func excerpt(_ text: String, limit: Int = 64) -> String {
        text.count <= limit ? text : text.prefix(limit) + "… (\(text.utf8.count) bytes)"
    }

    /// `indexUrl` → `index_url`, as Foundation's `convertToSnakeCase` writes it.
    public static func snakeName(of key: String) -> String {
        var result = ""
        for character in key {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }
}

/// A key as the decoder sees it after the dialect's conversion.
struct SchemaKey: CodingKey {
    /// Marks a key that is not snake_case: no coding key starts with it.
    static let foreignMark = "\u{1}"

    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A field the type does not have; reported by ``SchemaJSON/error(_:code:)``.
struct UnknownFieldError: Error {
    var path: [any CodingKey]
    var key: String
    var known: [String]
    var suggestion: String?
}

extension Decoder {
    /// Refuses fields that `Keys` does not list, naming the closest one that it does.
    ///
    /// - Throws: an error that ``SchemaJSON`` reports as `unknown field`, with the field path.
    package func rejectUnknownFields<Keys: CodingKey & CaseIterable>(_: Keys.Type) throws {
        let present = try container(keyedBy: SchemaKey.self).allKeys
        let known = Keys.allCases.map(\.stringValue)
        // The first in name order, so the same document always names the same field.
        let unknowns = present.filter { !known.contains($0.stringValue) }.sorted { $0.stringValue < $1.stringValue }
        guard let unknown = unknowns.first else { return }
        let written =
            unknown.stringValue.hasPrefix(SchemaKey.foreignMark)
            ? String(unknown.stringValue.dropFirst()) : SchemaJSON.snakeName(of: unknown.stringValue)
        // A placeholder key (a type with no fields has one) is no name to suggest.
        let names = known.filter { !$0.unicodeScalars.contains { $0.properties.generalCategory == .control } }.map(
            SchemaJSON.snakeName(of:))
        throw UnknownFieldError(
            path: codingPath, key: unknown.stringValue, known: names.sorted(),
            suggestion: EditDistance.closest(to: SchemaJSON.snakeName(of: written), in: names))
    }
}

extension KeyedDecodingContainer {
    /// Sets `value`, which holds the type's default, to the field when the document has it,
    /// so a type states each default once: in its initializer.
    func decode<T: Decodable>(_ key: Key, into value: inout T) throws {
        if let decoded = try decodeIfPresent(T.self, forKey: key) { value = decoded }
    }
}

/// "Did you mean": the closest of a few names by edit distance.
public enum EditDistance {
    public static func closest(to word: String, in candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word, $0)) }.min { $0.1 < $1.1 }
        guard let (best, score) = scored, score <= max(2, word.count / 3) else { return nil }
        return best
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

/// A closed set of names in a spec (`cleanup`, `volumes[].type`): a value outside it is an
/// error listing the ones there are, not Swift's "cannot initialize … from invalid String value".
public protocol SchemaEnum: RawRepresentable<String>, CaseIterable, Decodable {}

extension SchemaEnum {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Self(rawValue: text) else {
            let names = Self.allCases.map(\.rawValue)
            let hint = EditDistance.closest(to: text, in: names).map { "; did you mean '\($0)'?" } ?? ""
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(SchemaJSON.excerpt(text))' is not one of \(names.joined(separator: ", "))\(hint)")
        }
        self = value
    }
}
