package import Hummingbird

/// The request context of `ptest-iso serve`: Hummingbird's core storage plus the owner the
/// bearer token named (set by ``AuthMiddleware`` before any route runs).
package struct ServerContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    package var owner: String?

    package init(source: Source) {
        coreContext = .init(source: source)
        owner = nil
    }
}
