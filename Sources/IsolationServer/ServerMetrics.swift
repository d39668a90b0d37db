import Foundation
import IsolationCore
import Prometheus
import Synchronization

/// The server's Prometheus metrics, on swift-prometheus's registry (no process-wide
/// `MetricsSystem` bootstrap: a library must not claim that global). Named as Prometheus
/// recommends: `_total` counters, `_seconds` histograms.
package final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    /// The (engine, status) pairs given a gauge so far: set to 0 when none are left.
    private let seen = Mutex<Set<[String]>>([])
    /// Each pool's hits and misses at the last scrape: the counters grow by the difference.
    private let acquires = Mutex<[String: (hits: Int, misses: Int)]>([:])
    static let buckets: [Duration] = [
        .milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2), .seconds(10), .seconds(60),
    ]

    package init() {}

    func request(route: String, status: Int, duration: Duration) {
        registry.makeCounter(name: "ptest_iso_http_requests_total", labels: [("route", route), ("status", String(status))]).increment()
        registry.makeDurationHistogram(name: "ptest_iso_http_request_duration_seconds", labels: [("route", route)], buckets: Self.buckets)
            .record(duration)
    }

    func operation(method: String, error code: String?, duration: Duration) {
        registry.makeCounter(name: "ptest_iso_operations_total", labels: [("method", method)]).increment()
        if let code { registry.makeCounter(name: "ptest_iso_errors_total", labels: [("method", method), ("code", code)]).increment() }
        if method == "create" || method == "acquire" {
            // A create may be a pool's hit too (a spec a pool holds); ptest_iso_pool_acquires_total tells.
            registry.makeDurationHistogram(name: "ptest_iso_acquire_duration_seconds", labels: [("method", method)], buckets: Self.buckets)
                .record(duration)
        }
    }

    /// The exposition text, with the live environments read from the store now.
    func scrape(_ manager: IsolationManager) async -> String {
        var counts: [[String]: Int] = [:]
        for environment in (try? await manager.list()) ?? [] {
            counts[[environment.engine.rawValue, environment.status.rawValue], default: 0] += 1
        }
        let pairs = seen.withLock { seen in
            seen.formUnion(counts.keys)
            return seen
        }
        for pair in pairs {
            registry.makeGauge(name: "ptest_iso_environments", labels: [("engine", pair[0]), ("status", pair[1])])
                .set(to: Double(counts[pair] ?? 0))
        }
        for pool in manager.pools() {
            registry.makeGauge(name: "ptest_iso_pool_ready", labels: [("pool", pool.name)]).set(to: Double(pool.ready))
            registry.makeGauge(name: "ptest_iso_pool_creating", labels: [("pool", pool.name)]).set(to: Double(pool.creating))
            registry.makeGauge(name: "ptest_iso_pool_target", labels: [("pool", pool.name)]).set(to: Double(pool.target))
            let last = acquires.withLock { acquires in
                defer { acquires[pool.name] = (pool.hits, pool.misses) }
                return acquires[pool.name] ?? (0, 0)
            }
            registry.makeCounter(name: "ptest_iso_pool_acquires_total", labels: [("pool", pool.name), ("result", "hit")])
                .increment(by: Int64(max(0, pool.hits - last.hits)))
            registry.makeCounter(name: "ptest_iso_pool_acquires_total", labels: [("pool", pool.name), ("result", "miss")])
                .increment(by: Int64(max(0, pool.misses - last.misses)))
        }
        return registry.emitToString()
    }
}
