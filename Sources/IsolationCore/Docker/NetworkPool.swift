import Foundation

/// Private networks and held namespaces reused within one process, one environment at a time.
///
/// Creating a bridge network and removing it costs the daemon more than
/// starting a container (its subnet, bridge device and firewall rules), and a
/// test suite that gives every service its own network pays it per test. An
/// environment's private network is only ever its own: this pool hands a
/// network to one environment, takes it back once that environment's
/// containers are removed (so nothing of the last user is on it), and lends
/// it to the next.
///
/// A service that can share a held namespace (``NetworkHolder``) gets a
/// holder instead, lent the same way; the holders live on the pool's held
/// networks (one at a time, replaced when its expiry is too near), where
/// containers cannot reach one another. A held network goes once no holder
/// is on it and the pool has no more use for it.
///
/// Idle networks and holders carry the session's labels, so the session's
/// end removes what the pool still holds if ``drain(reopen:)`` never runs.
/// Only what this process created is taken back; an environment destroyed
/// by another process (the CLI, the reaper) has its network or holder
/// removed as usual.
actor NetworkPool {
    /// Idle networks kept at most, and idle holders; more are removed.
    let capacity: Int

    private var idle: [PooledNetwork] = []
    /// Networks of this pool in use.
    private var lent: [String: PooledNetwork] = [:]
    private var idleHolders: [NetworkHolder] = []
    /// Holders of this pool in use, by container id.
    private var lentHolders: [String: NetworkHolder] = [:]
    /// The networks holders are started on, with their expiry labels.
    private var heldNetworks: [String: Date] = [:]
    /// Per held network, its users besides its holders: containers on it with an endpoint of
    /// their own, and callers between looking it up and lending the holder they start on it.
    private var heldUsers: [String: Int] = [:]
    /// Lent holders whose environment is being destroyed: back (or removed) soon.
    private var returning: Set<String> = []
    /// Resolved when a returning holder is back or removed.
    private var holderArrival: OneShot<Void>?
    /// The ports standbys wait for a returning holder of, until the next arrival releases them
    /// all (each then looks again, and may wait again).
    private var awaitedPorts: Set<[Int]> = []
    private var closed = false
    /// Set by ``stop()``: no more environments will take a network, so none is kept idle.
    private var stopped = false
    /// Set by ``keepAtMost(_:)``: the environments still to come take no more idle networks than this.
    private var idleLimit: Int?
    /// Images a holder could not be started from (no `sleep`): their services join networks, not holders.
    private var imagesWithoutHolder: Set<String> = []

    init(capacity: Int) {
        self.capacity = capacity
    }

    private var keeps: Int { min(capacity, idleLimit ?? capacity) }

    // MARK: Private networks

    /// An idle network whose labels outlast `until`, now lent to the caller; `nil` when none is.
    func take(lastingUntil until: Date) -> PooledNetwork? {
        guard !closed, let index = idle.lastIndex(where: { $0.expiresAt >= until }) else { return nil }
        let network = idle.remove(at: index)
        lent[network.name] = network
        return network
    }

    /// Records a network just created for the pool as lent.
    func created(_ network: PooledNetwork) {
        lent[network.name] = network
    }

    /// Takes a lent network back once nothing is on it. `false` when the caller must remove
    /// it: not this pool's, the pool full or drained.
    func giveBack(_ name: String) -> Bool {
        guard let network = lent.removeValue(forKey: name) else { return false }
        guard !closed, !stopped, idle.count < keeps, network.expiresAt > Date() else { return false }
        idle.append(network)
        return true
    }

    // MARK: Held namespaces

    /// An idle holder publishing exactly `ports` whose labels outlast `until`, now lent to the
    /// caller; `nil` when none is.
    func takeHolder(lastingUntil until: Date, ports: [Int]) -> NetworkHolder? {
        guard !closed, let index = idleHolders.lastIndex(where: { $0.expiresAt >= until && $0.ports == ports }) else { return nil }
        let holder = idleHolders.remove(at: index)
        lentHolders[holder.id] = holder
        return holder
    }

    /// The held network that outlasts `until` longest, now used by the caller until it calls
    /// ``leaveHeldNetwork(_:)``; `nil` when none does (the caller makes one).
    func useHeldNetwork(lastingUntil until: Date) -> PooledNetwork? {
        guard !closed, let best = heldNetworks.filter({ $0.value >= until }).max(by: { $0.value < $1.value }) else { return nil }
        heldUsers[best.key, default: 0] += 1
        return PooledNetwork(name: best.key, expiresAt: best.value)
    }

    /// Records a held network just created, used by its creator (as ``useHeldNetwork(lastingUntil:)``).
    func addHeldNetwork(_ network: PooledNetwork) {
        heldNetworks[network.name] = network.expiresAt
        heldUsers[network.name, default: 0] += 1
    }

    /// A user of held network `name` is gone (its container removed, or its holder lent). Returns
    /// the network when nothing is left on it and the pool has no more use for it, for the
    /// caller to remove.
    func leaveHeldNetwork(_ name: String) -> String? {
        guard let users = heldUsers[name] else { return nil }
        heldUsers[name] = users > 1 ? users - 1 : nil
        return releasableHeldNetwork(name)
    }

    /// Whether `name` is a held network of this pool.
    func isHeldNetwork(_ name: String) -> Bool {
        heldNetworks[name] != nil
    }

    /// Records a holder just started as lent.
    func lend(_ holder: NetworkHolder) {
        lentHolders[holder.id] = holder
    }

    /// The environment of lent holder `id` is being destroyed: ``waitForReturning(lastingUntil:ports:)`` may wait for it.
    func returningHolder(_ id: String) {
        if lentHolders[id] != nil { returning.insert(id) }
    }

    /// The destroy of a returning holder's environment failed: it is not coming back now.
    func notReturning(_ id: String) {
        if returning.remove(id) != nil { arrived() }
    }

    /// Waits until a returning holder that would serve (`ports`, lasting until `until`) is back
    /// or removed; `false` at once when none is returning.
    func waitForReturning(lastingUntil until: Date, ports: [Int]) async -> Bool {
        guard !closed, returning.contains(where: { lentHolders[$0].map { $0.ports == ports && $0.expiresAt >= until } ?? false })
        else { return false }
        let arrival = holderArrival ?? OneShot<Void>()
        holderArrival = arrival
        awaitedPorts.insert(ports)
        try? await arrival.value()
        return true
    }

    /// Whether a standby waits for a returning holder now.
    var isAwaited: Bool { holderArrival != nil }

    private func arrived() {
        holderArrival?.resolve(.success(()))
        holderArrival = nil
        awaitedPorts = []
    }

    /// Takes a lent holder back once its service is removed. `false` when the caller must
    /// remove it (then ``holderRemoved(_:network:)``): not this pool's, the pool full or drained.
    /// A standby waiting for one of its ports gets it whatever the pool keeps: the standby is
    /// for an environment still to come (the last test's, after a stop), and would otherwise
    /// start a holder of its own right after this one was removed.
    func giveBackHolder(_ id: String) -> Bool {
        defer { if returning.remove(id) != nil { arrived() } }
        guard let holder = lentHolders[id] else { return false }
        let awaited = awaitedPorts.contains(holder.ports)
        guard !closed, holder.expiresAt > Date(), awaited || (!stopped && idleHolders.count < keeps) else { return false }
        lentHolders[id] = nil
        idleHolders.append(holder)
        return true
    }

    /// A holder of `network` the caller removed (not taken back, or found dead). Returns the
    /// network when it has no holder left and the pool no more use for it, for the caller to remove.
    func holderRemoved(_ id: String, network: String) -> String? {
        lentHolders[id] = nil
        if returning.remove(id) != nil { arrived() }
        return releasableHeldNetwork(network)
    }

    private func releasableHeldNetwork(_ name: String) -> String? {
        guard let expiresAt = heldNetworks[name], closed || stopped || expiresAt <= Date(), heldUsers[name] == nil,
            !idleHolders.contains(where: { $0.network == name }), !lentHolders.values.contains(where: { $0.network == name })
        else { return nil }
        heldNetworks[name] = nil
        return name
    }

    /// The held networks this pool has not removed yet.
    func heldNetworkNames() -> [String] {
        heldNetworks.keys.sorted()
    }

    /// Forgets the users and holders of held network `name` (another process removed them: the
    /// daemon has no container on it) and returns it when the pool has no more use for it.
    func forgetUsers(of name: String) -> String? {
        heldUsers[name] = nil
        for (id, holder) in lentHolders where holder.network == name {
            lentHolders[id] = nil
            returning.remove(id)
        }
        arrived()
        return releasableHeldNetwork(name)
    }

    /// Whether a holder may be started from `image` (none failed for want of `sleep`).
    func mayHold(_ image: String) -> Bool {
        !imagesWithoutHolder.contains(image)
    }

    func cannotHold(_ image: String) {
        imagesWithoutHolder.insert(image)
    }

    // MARK: The pool's end

    /// Keeps nothing idle from now on (what is given back later is the caller's to remove) and
    /// returns what is idle, for the caller to remove.
    func stop() -> PoolSurplus {
        stopped = true
        return keepAtMost(0)
    }

    /// Keeps at most `count` networks and `count` holders idle from now on (each environment
    /// still to come takes at most one) and returns the surplus, the oldest first, for the caller
    /// to remove: removed while the last tests run, not all at the session's end (the daemon
    /// removes networks one at a time). A later call replaces the count.
    func keepAtMost(_ count: Int) -> PoolSurplus {
        idleLimit = count
        var surplus = PoolSurplus()
        let networks = max(0, idle.count - count)
        surplus.networks = idle.prefix(networks).map(\.name)
        idle.removeFirst(networks)
        let holders = max(0, idleHolders.count - count)
        surplus.holders = Array(idleHolders.prefix(holders))
        idleHolders.removeFirst(holders)
        surplus.networks += heldNetworks.keys.sorted().compactMap(releasableHeldNetwork)
        return surplus
    }

    /// What failed to be removed: the next ``drain(reopen:)`` returns it again. Never lent.
    func removeLater(_ surplus: PoolSurplus) {
        idleHolders += surplus.holders.map { holder in
            var failed = holder
            failed.expiresAt = .distantPast
            return failed
        }
        idle += surplus.networks.map { PooledNetwork(name: $0, expiresAt: .distantPast) }
    }

    /// Closes the pool and returns what is idle (and the held networks no lent holder is on),
    /// for the caller to remove. `reopen`: the pool lends again afterwards (what is lent now
    /// comes back to it).
    func drain(reopen: Bool = false) -> PoolSurplus {
        closed = true
        arrived()
        defer { closed = !reopen }
        var surplus = PoolSurplus(holders: idleHolders, networks: idle.map(\.name))
        idle = []
        idleHolders = []
        surplus.networks += heldNetworks.keys.sorted().compactMap(releasableHeldNetwork)
        return surplus
    }
}
