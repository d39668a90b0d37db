import HTTPTypes
package import Hummingbird

/// Answers a known path asked with a method it does not take with 405 and `Allow`, as the
/// OpenAPI contract says (Hummingbird's router alone answers 404).
package struct MethodMiddleware: RouterMiddleware {
    package typealias Context = ServerContext

    package init() {}

    static func allowed(_ path: String) -> [HTTPRequest.Method]? {
        switch path {
        case "/health", "/openapi.json", "/metrics": [.get]
        case "/env-instance": [.get, .post]
        case _ where path.hasPrefix("/env-instance/") && !path.dropFirst("/env-instance/".count).contains("/"): [.get, .delete]
        case _ where path.hasPrefix("/v1/call/"): [.post]
        default: nil
        }
    }

    package func handle(
        _ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response
    ) async throws -> Response {
        if let allowed = Self.allowed(request.uri.path), !allowed.contains(request.method),
            !(allowed.contains(.get) && request.method == .head)
        {
            let names = allowed.map(\.rawValue).joined(separator: ", ")
            var error = ServerError(
                status: .methodNotAllowed, code: "methodNotAllowed",
                message: "\(request.uri.path) takes \(names), not \(request.method.rawValue)")
            error.headers[.allow] = names
            throw error
        }
        return try await next(request, context)
    }
}
