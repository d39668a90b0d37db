import DockerAPI
public import Foundation

/// Which leftovers ``IsolationManager/cleanup(_:dryRun:)`` removes.
public enum CleanupScope: Sendable, Hashable {
    /// Everything of one session.
    case session(String)
    /// What a session's end removes: everything of it except environments kept for debugging
    /// (`keep`) or living until their TTL (`after-ttl`), and their resources. The reaper's scope.
    case endedSession(String)
    /// Everything whose TTL has passed, in any session (except environments kept for debugging).
    case expired
    /// Everything ptest-isolation ever made (snapshot images included).
    case everything

    /// Whether a temporary snapshot of `session` goes (its session ended, or everything goes).
    func removesTemporarySnapshots(of session: String) -> Bool {
        switch self {
        case .session(let wanted), .endedSession(let wanted): session == wanted
        case .everything: true
        case .expired: false
        }
    }

    /// Snapshot images outlive their environments: only a session's end or `everything` removes them.
    var removesSnapshotImages: Bool {
        switch self {
        case .endedSession, .everything: true
        case .session, .expired: false
        }
    }
}

/// What a cleanup removed (or, in a dry run, would remove).
public struct CleanupReport: Codable, Sendable, Hashable {
    public var environments: [String] = []
    public var containers: [String] = []
    public var networks: [String] = []
    public var volumes: [String] = []
    public var images: [String] = []
    public var directories: [String] = []
    /// Temporary snapshots of the session (``IsolationManager/snapshot(_:name:timeout:temporary:)``), by name.
    public var snapshots: [String] = []
    /// Swarm services.
    public var services: [String] = []
    /// Swarm secrets and configs.
    public var secrets: [String] = []
    /// Why a part could not be searched (e.g. the Docker daemon is down).
    public var skipped: [String] = []

    public var isEmpty: Bool {
        environments.isEmpty && containers.isEmpty && networks.isEmpty && volumes.isEmpty && images.isEmpty && directories.isEmpty
            && snapshots.isEmpty && services.isEmpty && secrets.isEmpty
    }

    /// Adds what another part of a cleanup found.
    mutating func merge(_ other: CleanupReport) {
        environments += other.environments
        containers += other.containers
        networks += other.networks
        volumes += other.volumes
        images += other.images
        directories += other.directories
        snapshots += other.snapshots
        services += other.services
        secrets += other.secrets
        skipped += other.skipped
    }
}

extension IsolationManager {
    /// Finds and removes leftovers from three sources, so it works even when
    /// the state database is gone: the database's records, the Docker labels
    /// of every container, network, volume and image, and the metadata file
    /// of every venv directory.
    public func cleanup(_ scope: CleanupScope, dryRun: Bool = false, now: Date? = nil) async throws -> CleanupReport {
        let now = now ?? configuration.clock.now()
        var report = CleanupReport()
        // 1. Records: destroy through the engines, which also removes their resources.
        for environment in try await list()
        where Self.matches(
            scope, session: environment.session, expiresAt: environment.expiresAt, policy: environment.spec.cleanup, now: now)
        {
            guard !dryRun else {
                report.environments.append(environment.id)
                continue
            }
            let removal: () async -> Void = {
                if environment.status == .destroying {
                    // Its destroyer may have died mid-way (a background removal cut short): finish it.
                    // Removing twice is harmless, as engines ignore what is already gone.
                    if let engine = self.registry.engine(environment.engine) { try? await engine.destroy(environment) }
                    _ = try? await self.store.updateEnvironment(environment.id) { $0.status = .destroyed }
                } else {
                    try? await self.destroy(environment.id)
                }
            }
            // A reused environment's expiry is renewed by the runs that reuse it: it goes only
            // while none is reusing it, if still expired then (decision 0007).
            if scope == .expired {
                guard await removeIfStillExpired(environment, now: now, removal) else { continue }
            } else {
                await removal()
            }
            report.environments.append(environment.id)
        }
        // Temporary snapshots go with their session, after the environments that may have been
        // restored from them (a snapshot image a container still uses could not be removed).
        for snapshot in try await store.snapshots() where snapshot.session.map({ scope.removesTemporarySnapshots(of: $0) }) ?? false {
            report.snapshots.append(snapshot.name)
            guard !dryRun else { continue }
            do {
                try await deleteSnapshot(snapshot.id)
            } catch {
                report.skipped.append("snapshot \(snapshot.name): \(error)")
            }
        }
        // 2. Every engine's resources by label, wherever the engine keeps them (every host, every node).
        // Which environments have a live record, read once: a reused environment's labels defer to it.
        // Live only in the query: a home keeps the records of every environment it destroyed,
        // and decoding those on every sweep made each reaper's start cost more the older the home.
        let live = Set(
            (try? await store.environments(matching: EnvironmentFilter(liveOnly: true)))?.map(\.id) ?? [])
        let request = SweepRequest(scope: scope, dryRun: dryRun) { [self] labels in
            self.matches(scope, labels: labels, now: now, live: live)
        }
        for engine in registry.engines {
            report.merge(await engine.sweep(request))
        }
        if !dryRun, !report.images.isEmpty {
            // A snapshot whose image was swept is gone too.
            for snapshot in (try? await store.snapshots()) ?? [] where report.images.contains(snapshot.location) {
                try? await store.deleteSnapshot(snapshot.id)
            }
        }
        // 3. Venv directories by their metadata file.
        await sweepDirectories(scope, dryRun: dryRun, now: now, live: live, into: &report)
        return report
    }

    static func matches(_ scope: CleanupScope, session: String?, expiresAt: Date?, policy: CleanupPolicy?, now: Date) -> Bool {
        switch scope {
        case .session(let wanted): return session == wanted
        case .endedSession(let wanted): return session == wanted && policy != .keep && policy != .afterTTL
        case .expired: return policy != .keep && (expiresAt.map { $0 <= now } ?? false)
        case .everything: return true
        }
    }

    /// - Parameter live: the ids of the environments with a live record.
    func matches(_ scope: CleanupScope, labels: [String: String], now: Date, live: Set<String>) -> Bool {
        // Another home's resources are its own cleanup's business (labels from before homes were recorded match any home).
        if scope != .everything, let home = labels[ResourceLabels.home], home != ResourceLabels.homeKey(configuration.home) {
            return false
        }
        // A reused environment's labels keep its first expiry, which its runs renew in its record:
        // while it has a live record, that record decides (in step 1), the labels only without one.
        if scope == .expired, labels[ResourceLabels.reuse] != nil, let id = labels[ResourceLabels.environment], live.contains(id) {
            return false
        }
        let expiry = labels[ResourceLabels.expiresAt].flatMap(Double.init).map { Date(timeIntervalSince1970: $0) }
        let policy = labels[ResourceLabels.cleanup].flatMap(CleanupPolicy.init(rawValue:))
        return Self.matches(scope, session: labels[ResourceLabels.session], expiresAt: expiry, policy: policy, now: now)
    }

    /// Why `removal` failed, or `nil` when it succeeded or what it removes was already gone.
    static func failure(of removal: () async throws -> Void) async -> String? {
        do {
            try await removal()
            return nil
        } catch let error as DockerError where error.code == .notFound {
            return nil
        } catch let error as DockerError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    private func sweepDirectories(
        _ scope: CleanupScope, dryRun: Bool, now: Date, live: Set<String>, into report: inout CleanupReport
    ) async {
        struct Metadata: Decodable {
            var id: String
            var session: String
            var expiresAt: Date?
            var spec: EnvironmentSpec
        }
        let root = configuration.home.appendingPathComponent("envs")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? [] {
            let directory = root.appendingPathComponent(name)
            guard let data = try? Data(contentsOf: directory.appendingPathComponent("environment.json")),
                let metadata = try? StatePayload.decode(Metadata.self, from: data),
                Self.matches(scope, session: metadata.session, expiresAt: metadata.expiresAt, policy: metadata.spec.cleanup, now: now),
                // As for labels: a reused venv's renewed expiry is in its record.
                !(scope == .expired && metadata.spec.reuse && live.contains(metadata.id))
            else { continue }
            report.directories.append(directory.path)
            if !dryRun {
                try? FileManager.default.removeItem(at: directory)
                _ = try? await store.updateEnvironment(metadata.id) { $0.status = .destroyed }
            }
        }
    }
}
