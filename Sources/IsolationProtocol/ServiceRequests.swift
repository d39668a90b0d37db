package import Foundation
package import IsolationCore

/// `service_spec`: a ready-made service and its options, `{"service": "postgres", "options": {...}}`.
package struct ServiceSpecRequest: ABIRequest {
    package var definition: ServiceDefinition

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case service, options
    }

    package static var specFields: Set<String> { ["service", "options"] }

    package init(from decoder: any Decoder) throws {
        definition = try ServiceDefinition(fieldsOf: decoder)
    }
}

/// `service_connection`: the same, plus the host port published for the service's port.
package struct ServiceConnectionRequest: ABIRequest {
    package var definition: ServiceDefinition
    package var hostPort: Int
    /// The URL's path in place of the service's own (a Redis database `/1`, an HTTP resource).
    package var path: String?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case service, options, hostPort, path
    }

    package static var specFields: Set<String> { ["service", "options"] }

    package init(from decoder: any Decoder) throws {
        definition = try ServiceDefinition(fieldsOf: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        hostPort = try c.decode(Int.self, forKey: .hostPort)
        path = try c.decodeIfPresent(String.self, forKey: .path)
        guard (1...65535).contains(hostPort) else {
            throw ABIError.invalidArgument("host_port: \(hostPort) must be from 1 to 65535", field: "host_port")
        }
        if let path, !path.hasPrefix("/") || path.utf8.count > SchemaLimits.maxPathLength {
            throw ABIError.invalidArgument(
                "path: '\(SchemaJSON.excerpt(path))' must start with '/' and be at most \(SchemaLimits.maxPathLength) bytes", field: "path")
        }
    }
}
