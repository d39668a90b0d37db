import Synchronization

/// A token bucket per owner: `rate` requests a second on average, bursts up to `rate` (at least 1).
package final class RateLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private let buckets = Mutex<[String: Bucket]>([:])
    private let clock = ContinuousClock()

    package init() {}

    /// Takes one request from `owner`'s bucket.
    ///
    /// - Returns: `nil` when the request may go ahead, else the whole seconds until it may
    ///   (the `Retry-After` header).
    package func take(owner: String, rate: Double) -> Int? {
        let now = clock.now
        let capacity = max(rate, 1)
        return buckets.withLock { buckets in
            var bucket = buckets[owner] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(capacity, bucket.tokens + seconds * rate)
            bucket.updated = now
            defer { buckets[owner] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }
}
