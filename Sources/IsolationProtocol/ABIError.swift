import DockerAPI
package import Foundation
package import IsolationCore

/// An error as it crosses the C ABI: a documented negative status, a stable
/// code name, a message that says what to fix, and optional details.
package struct ABIError: Error {
    package var status: Int32
    package var code: String
    package var message: String
    package var details: [String: String] = [:]

    package static func invalidArgument(_ message: String, field: String? = nil) -> ABIError {
        ABIError(status: -1, code: "invalidArgument", message: message, details: field.map { ["field": $0] } ?? [:])
    }

    package static func unknownMethod(_ method: String) -> ABIError {
        ABIError(
            status: -2, code: "unknownMethod",
            message: "unknown method '\(method)'; known: \(Dispatcher.methods.sorted().joined(separator: ", "))")
    }

    package static let invalidHandle = ABIError(
        status: -3, code: "invalidHandle", message: "the manager handle is closed, NULL or not one this library opened")

    /// Maps any error of the core (or the wire) to its stable status and code.
    package init(_ error: any Error) {
        switch error {
        case let error as ABIError:
            self = error
        case let error as IsolationError:
            let statuses: [String: Int32] = [
                "notFound": -4, "invalidSpec": -5, "illegalTransition": -6, "capacityExceeded": -7, "engineUnavailable": -8,
                "interpreterNotFound": -9, "installFailed": -10, "timeout": -11, "cancelled": -12, "snapshotFailed": -13,
                "storageFailure": -14, "ioFailure": -15, "daemonUnavailable": -16,
            ]
            self.init(
                status: statuses[error.code.name] ?? -17, code: error.code.name, message: error.message,
                details: error.field.map { ["field": $0] } ?? [:])
        case let error as DockerError:
            let status: Int32
            let code: String
            switch error.code {
            case .daemonUnreachable, .tlsFailure: (status, code) = (-16, "daemonUnavailable")
            case .notFound: (status, code) = (-4, "notFound")
            case .timeout: (status, code) = (-11, "timeout")
            case .badParameter, .conflict, .invalidConfiguration: (status, code) = (-5, "invalidSpec")
            default: (status, code) = (-17, "internal")
            }
            self.init(status: status, code: code, message: error.message, details: ["docker_code": error.code.name])
        case is CancellationError:
            self.init(status: -12, code: "cancelled", message: "the operation was cancelled")
        default:
            self.init(status: -17, code: "internal", message: "internal error: \(error)")
        }
    }

    package init(status: Int32, code: String, message: String, details: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    package var json: String {
        struct Body: Encodable {
            var code: String
            var message: String
            var details: [String: String]
        }
        let data = (try? JSONEncoder().encode(Body(code: code, message: message, details: details))) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
