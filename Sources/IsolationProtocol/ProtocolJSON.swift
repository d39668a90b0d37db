package import Foundation
package import IsolationCore

/// A request's fields, so a field it does not have is an error rather than ignored.
package protocol ABIRequest: Decodable {
    associatedtype CodingKeys: CodingKey & CaseIterable
    /// Top-level fields whose errors are a spec's (`invalidSpec`), named by their whole path:
    /// a ready-made service's `service` and `options` are what a spec is to `create`.
    static var specFields: Set<String> { get }
}

package extension ABIRequest {
    package static var specFields: Set<String> { [] }
}

/// JSON at the ABI edge, in the project's one dialect (``SchemaJSON``): snake_case keys,
/// dates as Unix seconds, unknown fields refused, and errors naming the field.
package enum ProtocolJSON {
    /// Decodes a request. An error inside its `spec` is the spec's (`invalidSpec`, the field
    /// relative to the spec, as every front names it); any other is `invalidArgument`.
    package static func decode<T: ABIRequest>(_ type: T.Type, from text: String, what: String) throws -> T {
        do {
            return try SchemaJSON.decode(Strict<T>.self, from: Data(text.utf8), what: what).value
        } catch let error as IsolationError {
            if let field = error.field, field == "spec" || field.hasPrefix("spec.") || field.hasPrefix("spec[") {
                // The spec's own fields are named relative to it; the spec as a whole is `spec`.
                let inner = field == "spec" ? "spec" : String(field.dropFirst("spec.".count))
                throw IsolationError(.invalidSpec, field: inner, error.problem)
            }
            if let field = error.field, let top = field.split(whereSeparator: { $0 == "." || $0 == "[" }).first,
                T.specFields.contains(String(top))
            {
                throw error
            }
            let field = error.field.map { what == "config" ? "config.\($0)" : $0 }
            throw ABIError(
                status: -1, code: "invalidArgument", message: field.map { "\($0): \(error.problem)" } ?? error.message,
                details: field.map { ["field": $0] } ?? [:])
        }
    }

    package static func encode<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try SchemaJSON.encoder().encode(value), as: UTF8.self)
    }

    /// Takes the optional `call_id` (a string naming a streamed call for `cancel`) off a
    /// streaming request, leaving the method's own request.
    package static func takeCallID(from text: String) throws -> (request: String, callID: String?) {
        guard var object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], let value = object["call_id"]
        else { return (text, nil) }
        guard let callID = value as? String, !callID.isEmpty else {
            throw ABIError.invalidArgument("call_id: must be a non-empty string", field: "call_id")
        }
        object["call_id"] = nil
        return (String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self), callID)
    }

    private struct Strict<T: ABIRequest>: Decodable {
        var value: T

        init(from decoder: any Decoder) throws {
            try decoder.rejectUnknownFields(T.CodingKeys.self)
            value = try T(from: decoder)
        }
    }
}
