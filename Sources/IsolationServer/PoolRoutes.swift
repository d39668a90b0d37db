import Foundation
import IsolationCore
import IsolationProtocol

/// The warm pools' methods over HTTP, owner-scoped: an owner's pool is named `OWNER/NAME` in the
/// core, so owners' names never clash and an owner addresses only its own pools; its spec gets
/// the owner label, so only the owner's creates take from it; and its refills fill only the room
/// the owner's `max_live` leaves (``PoolRoom``).
extension CallRoutes {
    func pools(method: String, body text: String, owner: String) async throws -> String {
        let maxLive = authenticator.entry(forOwner: owner)?.maxLive
        func request<T: ABIRequest>(_ type: T.Type) throws -> T {
            try ProtocolJSON.decode(type, from: text.isEmpty ? "{}" : text, what: "request")
        }
        switch method {
        case "configure_pool":
            let body = try request(ConfigurePoolRequest.self)
            var spec = body.spec
            spec.labels[OwnerScope.ownerLabel] = owner
            let settings = PoolSettings(
                name: try Self.poolName(body.name, of: owner, field: "name"), spec: spec, min: body.min, max: body.max)
            let room = maxLive.map { PoolRoom(quotas: quotas, owner: owner, maxLive: $0) }
            do {
                try manager.configurePool(settings, quota: room)
            } catch let error as IsolationError where error.field == "name" {
                throw IsolationError(error.code, field: "name", error.problem.replacingOccurrences(of: "'\(owner)/", with: "'"))
            }
            return "{}"
        case "acquire":
            let body = try request(AcquireRequest.self)
            let pool = try Self.poolName(body.pool, of: owner, field: "pool")
            let spec = manager.pools().first { $0.name == pool }?.spec
            return try await quotas.withPlace(owner: authenticator.entry(forOwner: owner), spec: spec) {
                try ProtocolJSON.encode(
                    try await manager.acquire(
                        pool: pool, test: body.testId, ttlSeconds: body.ttlSeconds, timeout: try duration(body.timeoutSeconds)))
            }
        case "pools":
            _ = try request(EmptyRequest.self)
            let prefix = owner + "/"
            let mine = manager.pools().filter { $0.name.hasPrefix(prefix) }.map { status in
                var status = status
                status.name.removeFirst(prefix.count)
                return status
            }
            return try ProtocolJSON.encode(["pools": mine])
        default:
            let body = try request(DrainPoolRequest.self)
            let destroyed = try await manager.drainPool(try Self.poolName(body.name, of: owner, field: "name"))
            return try ProtocolJSON.encode(["destroyed": destroyed])
        }
    }

    /// The core's name of an owner's pool.
    ///
    /// - Throws: `invalidArgument` for a name with `/` (the server's separator).
    static func poolName(_ name: String, of owner: String, field: String) throws -> String {
        guard !name.contains("/") else {
            throw ABIError.invalidArgument(
                "\(field): '\(name)' has a '/'; name a pool with letters, digits, '.', '_' and '-'", field: field)
        }
        return owner + "/" + name
    }
}
