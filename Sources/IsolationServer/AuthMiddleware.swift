import Foundation
import HTTPTypes
package import Hummingbird

/// Names the request's owner from its bearer token and applies the owner's request rate.
/// `/health` and `/openapi.json` need no token. The token is never logged.
package struct AuthMiddleware: RouterMiddleware {
    package typealias Context = ServerContext

    let authenticator: Authenticator
    let limiter: RateLimiter
    static let open: Set<String> = ["/health", "/openapi.json", "/metrics"]

    package init(authenticator: Authenticator, limiter: RateLimiter) {
        self.authenticator = authenticator
        self.limiter = limiter
    }

    package func handle(
        _ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response
    ) async throws -> Response {
        if Self.open.contains(request.uri.path) { return try await next(request, context) }
        var context = context
        switch authenticator.authenticate(request.headers[.authorization]) {
        case .missing:
            throw unauthorized("no bearer token; send `Authorization: Bearer TOKEN` with a token of the tokens file")
        case .unknown:
            throw unauthorized("the bearer token is not one of the tokens file's")
        case .expired:
            throw unauthorized("the bearer token has expired (its expires_at has passed); ask for a new one")
        case .owner(let owner):
            context.owner = owner
            if let rate = authenticator.entry(forOwner: owner)?.requestsPerSecond, let wait = limiter.take(owner: owner, rate: rate) {
                var error = ServerError(
                    status: .tooManyRequests, code: "rateLimited",
                    message: "owner '\(owner)' is over its requests_per_second (\(rate)); retry after \(wait) s")
                error.headers[.retryAfter] = String(wait)
                throw error
            }
        }
        return try await next(request, context)
    }

    private func unauthorized(_ message: String) -> ServerError {
        var error = ServerError(status: .unauthorized, code: "unauthorized", message: message, field: "authorization")
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }
}
