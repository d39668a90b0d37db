public import Foundation

extension EnvironmentSpec {
    /// Reads a spec written as JSON with the field names of ``EnvironmentSpec``
    /// (camelCase, as `ptest-iso inspect --json` prints a spec).
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the field and what it must be.
    public static func decode(json: Data) throws -> EnvironmentSpec {
        try SpecJSON.decode(EnvironmentSpec.self, from: json)
    }
}

extension JobSpec {
    /// Reads a job written as JSON with the field names of ``JobSpec`` (camelCase).
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the field and what it must be.
    public static func decode(json: Data) throws -> JobSpec {
        try SpecJSON.decode(JobSpec.self, from: json)
    }
}

/// Specs read from JSON, with decoding errors that name the field.
enum SpecJSON {
    static func decode<Spec: Decodable>(_ type: Spec.Type, from json: Data) throws -> Spec {
        do {
            return try JSONDecoder().decode(type, from: json)
        } catch let error as DecodingError {
            throw IsolationError(.invalidSpec, describe(error))
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return text.isEmpty ? "spec" : text.replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type), found something else"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(type), found null"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): required"
        case .dataCorrupted(let context):
            let underlying = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return context.codingPath.isEmpty
                ? "spec: not valid JSON (\(underlying ?? context.debugDescription))"
                : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "spec: \(error)"
        }
    }
}
