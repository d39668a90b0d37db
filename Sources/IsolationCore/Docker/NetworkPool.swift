import Foundation

/// Private networks reused within one process, one environment at a time.
///
/// Creating a bridge network and removing it costs the daemon more than
/// starting a container (its subnet, bridge device and firewall rules), and a
/// test suite that gives every service its own network pays it per test. An
/// environment's private network is only ever its own: this pool hands a
/// network to one environment, takes it back once that environment's
/// containers are removed (so nothing of the last user is on it), and lends
/// it to the next. Idle networks carry the session's labels, so the
/// session's end removes what the pool still holds if ``drain()`` never runs.
///
/// A network may keep a ``NetworkHolder``, its namespace held for the
/// services that join it; the holder stays with the network, idle or lent.
///
/// Only networks this process created are taken back; an environment
/// destroyed by another process (the CLI, the reaper) has its network removed
/// as usual.
actor NetworkPool {
    /// Idle networks kept at most; more are removed.
    let capacity: Int

    private var idle: [PooledNetwork] = []
    /// Networks of this pool in use.
    private var lent: [String: PooledNetwork] = [:]
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

    /// An idle network whose labels outlast `until`, now lent to the caller; `nil` when none is.
    /// `holderPorts`: the caller's service would join a holder publishing these ports, so a network
    /// with such a holder comes first, then one without a holder (one with another holder only
    /// when the caller wants none: it then joins the network itself).
    func take(lastingUntil until: Date, holderPorts: [Int]?) -> PooledNetwork? {
        guard !closed else { return nil }
        let fresh = idle.indices.filter { idle[$0].expiresAt >= until }
        let chosen =
            holderPorts.flatMap { ports in fresh.last { idle[$0].holder?.ports == ports } }
            ?? fresh.last { idle[$0].holder == nil } ?? (holderPorts == nil ? fresh.last : nil)
        guard let chosen else { return nil }
        let network = idle.remove(at: chosen)
        lent[network.name] = network
        return network
    }

    /// Records a network just created for the pool as lent.
    func created(_ network: PooledNetwork) {
        lent[network.name] = network
    }

    /// Records the holder now on a lent network (`nil`: it has none any more).
    func setHolder(_ holder: NetworkHolder?, of name: String) {
        lent[name]?.holder = holder
    }

    /// Takes a lent network back once nothing but its holder is on it. `false` when the caller
    /// must remove it: not this pool's, the pool full or drained.
    func giveBack(_ name: String) -> Bool {
        guard let network = lent.removeValue(forKey: name) else { return false }
        guard !closed, !stopped, idle.count < min(capacity, idleLimit ?? capacity), network.expiresAt > Date() else {
            // The caller removes the network; its holder, which the pool knew, goes first.
            return false
        }
        idle.append(network)
        return true
    }

    /// Whether `name` is a network of this pool in use.
    func isLent(_ name: String) -> Bool {
        lent[name] != nil
    }

    /// Whether a holder may be started from `image` (none failed for want of `sleep`).
    func mayHold(_ image: String) -> Bool {
        !imagesWithoutHolder.contains(image)
    }

    func cannotHold(_ image: String) {
        imagesWithoutHolder.insert(image)
    }

    /// Keeps no network idle from now on (networks given back are the caller's to remove) and
    /// returns the idle ones, for the caller to remove.
    func stop() -> [PooledNetwork] {
        stopped = true
        return keepAtMost(0)
    }

    /// Keeps at most `count` networks idle from now on (each environment still to come takes at
    /// most one) and returns the surplus idle ones, the oldest first, for the caller to remove:
    /// removed while the last tests run, not all at the session's end (the daemon removes
    /// networks one at a time). A later call replaces the count.
    func keepAtMost(_ count: Int) -> [PooledNetwork] {
        idleLimit = count
        let surplus = max(0, idle.count - count)
        defer { idle.removeFirst(surplus) }
        return Array(idle.prefix(surplus))
    }

    /// A network whose removal failed: the next ``drain(reopen:)`` returns it again. Never lent.
    func removeLater(_ network: PooledNetwork) {
        var failed = network
        failed.expiresAt = .distantPast
        idle.append(failed)
    }

    /// Closes the pool and returns the idle networks, for the caller to remove. `reopen`: the
    /// pool lends again afterwards (networks lent now come back to it).
    func drain(reopen: Bool = false) -> [PooledNetwork] {
        closed = !reopen
        defer { idle = [] }
        return idle
    }
}
