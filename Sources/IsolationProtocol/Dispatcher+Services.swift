package import Foundation
package import IsolationCore

package extension Dispatcher {
    /// The ready-made services' methods: they read the catalogue and need no manager, so
    /// `ptest_iso_call` answers them with a NULL handle too (Python builds a service's spec
    /// before, and apart from, any manager).
    package static let catalogueMethods: Set<String> = ["services", "service_spec", "service_connection"]

    /// Answers a catalogue method; `nil` for any other.
    package static func callCatalogue(method: String, request text: String) throws -> String? {
        func request<T: ABIRequest>(_ type: T.Type) throws -> T {
            try ProtocolJSON.decode(type, from: text, what: "request")
        }
        switch method {
        case "services":
            struct Services: Encodable { var services: [ServiceListing] }
            _ = try request(EmptyRequest.self)
            return try ProtocolJSON.encode(Services(services: ServiceListing.all))
        case "service_spec":
            struct Spec: Encodable { var spec: EnvironmentSpec; var containerPort: Int }
            let definition = try request(ServiceSpecRequest.self).definition
            return try ProtocolJSON.encode(Spec(spec: try definition.spec(), containerPort: definition.containerPort))
        case "service_connection":
            let body = try request(ServiceConnectionRequest.self)
            // The options are checked as for the spec, so a URL is never made of options `create` refuses.
            try body.definition.options.validate()
            return try ProtocolJSON.encode(body.definition.connection(port: body.hostPort, path: body.path))
        default:
            return nil
        }
    }
}
