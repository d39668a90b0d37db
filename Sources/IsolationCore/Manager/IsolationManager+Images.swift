import DockerAPI
import Foundation

/// The Docker image cache: images built from `build` contexts, reused while the context is unchanged.
extension IsolationManager {
    /// Every daemon's engine the manager has: the Docker engine, or each host of a pool.
    var dockerEngines: [DockerEngine] {
        registry.engines.flatMap { engine -> [DockerEngine] in
            if let docker = engine as? DockerEngine { return [docker] }
            return (engine as? DockerHostPool)?.engines ?? []
        }
    }

    var dockerEngine: DockerEngine? {
        dockerEngines.first
    }

    /// Turns the image cache's hits, builds and evictions, and a venv creation's install steps,
    /// into `progress` events.
    func observeImageCache() {
        (registry.engine(.virtualenv) as? VirtualenvEngine)?.progress.observe { [broadcaster] subject, detail in
            broadcaster.emit(.progress, environment: subject, detail: detail)
        }
        dockerEngine?.images.observe { [broadcaster] subject, detail in
            // A job is no environment: its id goes into the sentence instead.
            if let subject, !subject.hasPrefix("env-") {
                broadcaster.emit(.progress, detail: "\(subject): \(detail)")
            } else {
                broadcaster.emit(.progress, environment: subject, detail: detail)
            }
        }
    }

    /// The cached images, least recently used first.
    public func cachedImages() -> [ImageManager.Entry] {
        dockerEngine?.images.entries() ?? []
    }

    /// Evicts least recently used cached images until the cache fits `limit` bytes (default:
    /// ``Configuration/imageCacheBytes``). An image a container uses is never evicted, nor one
    /// being built or looked up right now.
    ///
    /// - Returns: the evicted images (with `dryRun`, those that would be), in eviction order.
    /// - Throws: ``IsolationError/Code/daemonUnavailable`` when the daemon cannot be reached.
    @discardableResult
    public func gc(limit: Int64? = nil, dryRun: Bool = false) async throws -> [ImageManager.Entry] {
        guard let docker = dockerEngine else { return [] }
        return try await docker.withClient { try await docker.images.collect(limit: limit, dryRun: dryRun, client: $0) }
    }
}
