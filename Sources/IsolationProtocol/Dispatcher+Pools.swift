import Foundation
package import IsolationCore

/// `configure_pool`: a warm pool of `spec`, kept at `min` ready (grown toward `max` by misses).
package struct ConfigurePoolRequest: ABIRequest {
    package var name: String
    package var spec: EnvironmentSpec
    package var min: Int
    package var max: Int

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case name, spec, min, max
    }
}

/// `acquire`: a ready environment of the pool, re-stamped for the test.
package struct AcquireRequest: ABIRequest {
    package var pool: String
    package var testId: String?
    package var ttlSeconds: Double?
    package var timeoutSeconds: Double?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case pool, testId, ttlSeconds, timeoutSeconds
    }
}

/// `drain_pool`: stops refilling the pool and destroys its waiting environments.
package struct DrainPoolRequest: ABIRequest {
    package var name: String

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case name
    }
}

/// The warm pools' methods (decision 0013). Translation only, as in ``Dispatcher``.
package extension Dispatcher {
    static let poolMethods: Set<String> = ["configure_pool", "acquire", "pools", "drain_pool"]

    static func callPools(_ manager: IsolationManager, method: String, request text: String) async throws -> String? {
        func request<T: ABIRequest>(_ type: T.Type) throws -> T {
            try ProtocolJSON.decode(type, from: text, what: "request")
        }
        switch method {
        case "configure_pool":
            let body = try request(ConfigurePoolRequest.self)
            try manager.configurePool(PoolSettings(name: body.name, spec: body.spec, min: body.min, max: body.max))
            return "{}"
        case "acquire":
            let body = try request(AcquireRequest.self)
            return try ProtocolJSON.encode(
                try await manager.acquire(
                    pool: body.pool, test: body.testId, ttlSeconds: body.ttlSeconds, timeout: try duration(body.timeoutSeconds)))
        case "pools":
            _ = try request(EmptyRequest.self)
            struct Pools: Encodable { var pools: [PoolStatus] }
            return try ProtocolJSON.encode(Pools(pools: manager.pools()))
        case "drain_pool":
            struct Drained: Encodable { var destroyed: [String] }
            return try ProtocolJSON.encode(Drained(destroyed: try await manager.drainPool(try request(DrainPoolRequest.self).name)))
        default:
            return nil
        }
    }
}
