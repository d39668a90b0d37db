package import IsolationCore
import Synchronization

/// Each owner's quotas — `max_live`, `max_cpus`, `max_memory` — checked and reserved in one
/// step: two creates of one owner cannot both pass the check for the last place. A create holds
/// its place and its CPUs and memory from the check until it has ended (made or failed).
///
/// `max_live` bounds the environments an owner uses: waiting pool environments do not count
/// against a create (taking one is a hit, not one more), but a pool fills only the room the
/// owner's environments leave (``PoolRoom``). `max_cpus` and `max_memory` bound the limits of
/// the owner's containers, waiting ones included (they hold what they were given); a container
/// spec must then set the limit (a container without one could take the whole machine), and a
/// virtualenv, which has none to count, is bounded by `max_live` only.
package final class OwnerQuotas: Sendable {
    struct Pending {
        var count = 0
        var nanoCPUs: Int64 = 0
        var memory: Int64 = 0
        /// Creates of the owner ended so far: a check that read the store before one ended reads again.
        var releases = 0
    }

    private let creating = Mutex<[String: Pending]>([:])
    let manager: IsolationManager

    package init(manager: IsolationManager) {
        self.manager = manager
    }

    /// Runs `create` (of `spec`) once the owner has room, holding the place while it runs.
    ///
    /// - Throws: 403 `quotaExceeded` naming `max_live`, `max_cpus` or `max_memory`; for a container
    ///   spec without a limit the owner's quota needs, naming the spec's `resources.cpus` or
    ///   `resources.memory`.
    func withPlace<T>(owner: OwnerToken?, spec: EnvironmentSpec?, _ create: () async throws -> T) async throws -> T {
        guard let owner, owner.maxLive != nil || owner.maxCpus != nil || owner.maxMemory != nil else { return try await create() }
        let cost = try Self.cost(of: spec, for: owner)
        // The owner's environments are read before the lock (the store is async), so a create that
        // ended meanwhile — recorded, and its place released — could be in neither count: a
        // release since the read makes the check read again.
        while true {
            let releasesSeen = creating.withLock { $0[owner.owner, default: Pending()].releases }
            let environments = try await manager.list(EnvironmentFilter(labels: [OwnerScope.ownerLabel: owner.owner]))
                // A create in flight holds its place below; a failed one holds nothing (its resources
                // were removed: it is recorded to be read).
                .filter { $0.status != .creating && $0.status != .failed }
            if try reserve(owner: owner, cost: cost, environments: environments, releasesSeen: releasesSeen) { break }
        }
        defer {
            creating.withLock { creating in
                var pending = creating[owner.owner, default: Pending()]
                pending.count -= 1
                pending.nanoCPUs -= cost.nanoCPUs
                pending.memory -= cost.memory
                pending.releases += 1
                creating[owner.owner] = pending
            }
        }
        return try await create()
    }

    /// Holds a place for one create of `owner` when its quotas allow it; `false` when a create
    /// of the owner ended since `environments` was read (read them again).
    ///
    /// - Throws: 403 `quotaExceeded` naming the quota.
    private func reserve(
        owner: OwnerToken, cost: (nanoCPUs: Int64, memory: Int64), environments: [Environment], releasesSeen: Int
    ) throws -> Bool {
        try creating.withLock { creating in
            let pending = creating[owner.owner, default: Pending()]
            guard pending.releases == releasesSeen else { return false }
            if let maxLive = owner.maxLive {
                let used = environments.count { !$0.waitsInPool }
                guard used + pending.count < maxLive else {
                    throw Self.exceeded(
                        "max_live",
                        "owner '\(owner.owner)' has \(used) environments and \(pending.count) being made, its max_live of \(maxLive); destroy one first"
                    )
                }
            }
            let held = environments.reduce((nanoCPUs: Int64(0), memory: Int64(0))) { sum, environment in
                let one = (try? Self.cost(of: environment.spec, for: nil)) ?? (nanoCPUs: 0, memory: 0)
                return (sum.nanoCPUs + one.nanoCPUs, sum.memory + one.memory)
            }
            if let maxCpus = owner.maxCpus {
                let total = held.nanoCPUs + pending.nanoCPUs + cost.nanoCPUs
                guard Double(total) / 1e9 <= maxCpus + 1e-9 else {
                    throw Self.exceeded(
                        "max_cpus",
                        "owner '\(owner.owner)' would hold \(Double(total) / 1e9) CPUs, over its max_cpus of \(maxCpus); destroy one or ask for fewer"
                    )
                }
            }
            if let maxMemory = owner.maxMemory {
                let total = held.memory + pending.memory + cost.memory
                guard total <= maxMemory else {
                    throw Self.exceeded(
                        "max_memory",
                        "owner '\(owner.owner)' would hold \(total) bytes of memory, over its max_memory of \(maxMemory); destroy one or ask for less"
                    )
                }
            }
            creating[owner.owner] = Pending(
                count: pending.count + 1, nanoCPUs: pending.nanoCPUs + cost.nanoCPUs, memory: pending.memory + cost.memory,
                releases: pending.releases)
            return true
        }
    }

    /// A container spec's CPU and memory limits; a virtualenv's are none.
    ///
    /// - Throws: for an `owner` whose quota needs a limit the container spec does not set.
    static func cost(of spec: EnvironmentSpec?, for owner: OwnerToken?) throws -> (nanoCPUs: Int64, memory: Int64) {
        guard let spec, spec.image != nil || spec.build != nil || spec.compose != nil || spec.engine == .docker else { return (0, 0) }
        if owner?.maxCpus != nil, spec.resources?.cpus == nil {
            throw ServerError(
                status: .forbidden, code: "quotaExceeded",
                message: "resources.cpus: owner '\(owner?.owner ?? "")' has a max_cpus quota; give the container's cpus",
                field: "resources.cpus")
        }
        if owner?.maxMemory != nil, spec.resources?.memory == nil {
            throw ServerError(
                status: .forbidden, code: "quotaExceeded",
                message: "resources.memory: owner '\(owner?.owner ?? "")' has a max_memory quota; give the container's memory",
                field: "resources.memory")
        }
        return (
            try spec.resources?.cpus.map(ResourceParsing.nanoCPUs) ?? 0, try spec.resources?.memory.map(ResourceParsing.memoryBytes) ?? 0
        )
    }

    static func exceeded(_ field: String, _ message: String) -> ServerError {
        ServerError(status: .forbidden, code: "quotaExceeded", message: message, field: field)
    }

    /// Everything of the owner's, pools' included, and the creates in flight; but for the
    /// records of `pool` still being made, which its admitted creations count.
    func everything(_ owner: String, exceptCreatingIn pool: String) async -> Int {
        // An unreadable store leaves no room (Int.max, compared below without adding to it).
        guard let environments = try? await manager.list(EnvironmentFilter(labels: [OwnerScope.ownerLabel: owner])) else {
            return Int.max
        }
        let live = environments.count { !($0.status == .creating && $0.labels[ResourceLabels.pool] == pool) }
        return creating.withLock { live + $0[owner, default: Pending()].count }
    }
}

/// A pool of an owner fills only while the owner's environments, waiting ones included, stay
/// under its `max_live`.
struct PoolRoom: PoolQuota {
    let quotas: OwnerQuotas
    let owner: String
    let maxLive: Int

    func mayCreate(pool: String, creating: Int) async -> Bool {
        await quotas.everything(owner, exceptCreatingIn: pool) < maxLive - creating
    }
}
