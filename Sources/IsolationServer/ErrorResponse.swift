package import Foundation
import HTTPTypes
package import Hummingbird
package import IsolationProtocol

/// Errors as the server answers them: the ABI's error object (`code`, `message`,
/// `details.field`) with an HTTP status chosen by its code.
package struct ServerError: Error, HTTPResponseError {
    package var status: HTTPResponse.Status
    package var error: ABIError
    package var headers: HTTPFields = [:]

    package init(status: HTTPResponse.Status, code: String, message: String, field: String? = nil) {
        self.status = status
        self.error = ABIError(status: -1, code: code, message: message, details: field.map { ["field": $0] } ?? [:])
    }

    /// Any error of the protocol or the core, with the status its stable code calls for.
    package init(_ underlying: any Error) {
        let error = ABIError(underlying)
        self.error = error
        self.status = Self.status(of: error.code)
    }

    static func status(of code: String) -> HTTPResponse.Status {
        switch code {
        case "invalidArgument", "invalidSpec": .badRequest
        case "unknownMethod", "notFound": .notFound
        case "illegalTransition", "capacityExceeded": .conflict
        case "engineUnavailable", "daemonUnavailable", "interpreterNotFound": .serviceUnavailable
        case "timeout": .gatewayTimeout
        default: .internalServerError
        }
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        let body = request.uri.path.hasPrefix("/env-instance") ? envelope : error.json
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The environment-service seed's envelope, for `/env-instance`: `success: false`, the HTTP
    /// status as `code`, the stable code as `error`, and the field in `details`, as on `/v1/call`.
    var envelope: String {
        let object: [String: Any] = [
            "success": false, "code": Int(status.code), "error": error.code, "message": error.message,
            "details": error.details, "data": NSNull(),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
