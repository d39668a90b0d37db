package import Hummingbird

/// Counts every request and times it, by route (the router's pattern, so ids do not make new
/// series) and status.
package struct MetricsMiddleware: RouterMiddleware {
    package typealias Context = ServerContext

    let metrics: ServerMetrics

    package init(metrics: ServerMetrics) {
        self.metrics = metrics
    }

    package func handle(
        _ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response
    ) async throws -> Response {
        let started = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.request(route: context.endpointPath ?? "unmatched", status: response.status.code, duration: .now - started)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.request(route: context.endpointPath ?? "unmatched", status: status, duration: .now - started)
            throw error
        }
    }
}
