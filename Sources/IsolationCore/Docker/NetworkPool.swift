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
/// Only networks this process created are taken back; an environment
/// destroyed by another process (the CLI, the reaper) has its network removed
/// as usual.
actor NetworkPool {
    /// Idle networks kept at most; more are removed.
    let capacity: Int

    private struct Idle {
        var name: String
        /// The network's expiry label: it may only serve an environment that ends before it.
        var expiresAt: Date
    }

    private var idle: [Idle] = []
    /// Networks of this pool in use, with their expiry labels.
    private var lent: [String: Date] = [:]
    private var closed = false
    /// Set by ``stop()``: no more environments will take a network, so none is kept idle.
    private var stopped = false
    /// Set by ``keepAtMost(_:)``: the environments still to come take no more idle networks than this.
    private var idleLimit: Int?

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// An idle network whose labels outlast `until`, now lent to the caller; `nil` when none is.
    func take(lastingUntil until: Date) -> String? {
        guard !closed, let index = idle.lastIndex(where: { $0.expiresAt >= until }) else { return nil }
        let network = idle.remove(at: index)
        lent[network.name] = network.expiresAt
        return network.name
    }

    /// Records a network just created for the pool as lent.
    func created(_ name: String, expiresAt: Date) {
        lent[name] = expiresAt
    }

    /// Takes a lent network back once nothing is on it. `false` when the caller must remove
    /// it: not this pool's, the pool full or drained.
    func giveBack(_ name: String) -> Bool {
        guard let expiresAt = lent.removeValue(forKey: name) else { return false }
        guard !closed, !stopped, idle.count < min(capacity, idleLimit ?? capacity), expiresAt > Date() else { return false }
        idle.append(Idle(name: name, expiresAt: expiresAt))
        return true
    }

    /// Whether `name` is a network of this pool in use.
    func isLent(_ name: String) -> Bool {
        lent[name] != nil
    }

    /// Keeps no network idle from now on (networks given back are the caller's to remove) and
    /// returns the idle ones, for the caller to remove.
    func stop() -> [String] {
        stopped = true
        return keepAtMost(0)
    }

    /// Keeps at most `count` networks idle from now on (each environment still to come takes at
    /// most one) and returns the surplus idle ones, the oldest first, for the caller to remove:
    /// removed while the last tests run, not all at the session's end (the daemon removes
    /// networks one at a time). A later call replaces the count.
    func keepAtMost(_ count: Int) -> [String] {
        idleLimit = count
        let surplus = max(0, idle.count - count)
        defer { idle.removeFirst(surplus) }
        return idle.prefix(surplus).map(\.name)
    }

    /// A network whose removal failed: the next ``drain(reopen:)`` returns it again. Never lent.
    func removeLater(_ name: String) {
        idle.append(Idle(name: name, expiresAt: .distantPast))
    }

    /// Closes the pool and returns the idle networks, for the caller to remove. `reopen`: the
    /// pool lends again afterwards (networks lent now come back to it).
    func drain(reopen: Bool = false) -> [String] {
        closed = !reopen
        defer { idle = [] }
        return idle.map(\.name)
    }
}
