package import IsolationCore
import Synchronization

/// Each owner's `max_live`, checked and reserved in one step: two creates of one owner cannot
/// both pass the check for the last place. A create holds its place from the check until it
/// has ended (made or failed).
///
/// `max_live` bounds the environments an owner uses: waiting pool environments do not count
/// against a create (taking one is a hit, not one more), but a pool fills only the room the
/// owner's environments leave (``PoolRoom``).
package final class OwnerQuotas: Sendable {
    private let creating = Mutex<[String: Int]>([:])
    let manager: IsolationManager

    package init(manager: IsolationManager) {
        self.manager = manager
    }

    /// Runs `create` once the owner has room, holding the place while it runs.
    ///
    /// - Throws: 403 `quotaExceeded` naming `max_live`.
    func withPlace<T>(owner: String, maxLive: Int?, _ create: () async throws -> T) async throws -> T {
        guard let maxLive else { return try await create() }
        try creating.withLock { creating in
            let used = try inUse(owner)
            let pending = creating[owner, default: 0]
            guard used + pending < maxLive else {
                throw ServerError(
                    status: .forbidden, code: "quotaExceeded",
                    message:
                        "owner '\(owner)' has \(used) environments and \(pending) being made, its max_live of \(maxLive); destroy one first",
                    field: "max_live")
            }
            creating[owner] = pending + 1
        }
        defer { creating.withLock { $0[owner, default: 1] -= 1 } }
        return try await create()
    }

    /// The owner's environments in use: live, made (a create in flight holds its place instead),
    /// and not waiting in a pool.
    func inUse(_ owner: String) throws -> Int {
        try manager.list(EnvironmentFilter(labels: [OwnerScope.ownerLabel: owner])).count { environment in
            environment.status != .creating && environment.details["pool.state"] != "waiting"
        }
    }

    /// Everything of the owner's, pools' included, and the creates in flight.
    func everything(_ owner: String) -> Int {
        let live = (try? manager.list(EnvironmentFilter(labels: [OwnerScope.ownerLabel: owner])).count) ?? Int.max
        return creating.withLock { live + $0[owner, default: 0] }
    }
}

/// A pool of an owner fills only while the owner's environments, waiting ones included, stay
/// under its `max_live`.
struct PoolRoom: PoolQuota {
    let quotas: OwnerQuotas
    let owner: String
    let maxLive: Int

    func mayCreate(pool: String, creating: Int) -> Bool {
        quotas.everything(owner) + creating < maxLive
    }
}
