import DockerAPI
import Foundation

extension DockerEngine {
    /// What a standby of this environment's spec would be (its container with no name and only the
    /// user's labels); `nil` when the spec needs work after the start other than readiness checks,
    /// a shared network, or a lifetime other than its session's.
    func standbyKey(for container: ContainerSpec, environment: Environment) -> StandbyKey? {
        let spec = environment.spec
        let network = Self.networkRequest(of: spec)
        // A shared environment is made once per session: a standby for its spec would wait in vain.
        // A warm pool keeps its own environments started: a standby would double them, uncounted,
        // and hand the pool a container without its label.
        guard standby.isEnabled, !spec.shared, environment.labels[ResourceLabels.pool] == nil,
            network == nil || network == "none" || network == "isolated",
            spec.volumes.isEmpty, spec.tmpfs.isEmpty, !spec.readOnlyRoot,
            !spec.secrets.contains(where: { $0.delivery == .file }),
            spec.cleanup == .endOfSession || spec.cleanup == .endOfTest
        else { return nil }
        var key = container
        key.name = nil
        // The standby's expiry label comes from the TTL of the environment that started it, and
        // Docker cannot relabel a container: only an environment with the same TTL may take it.
        let ttl = (environment.expiresAt ?? environment.createdAt).timeIntervalSince(environment.createdAt)
        // The mode is in the key, not only implied by the command, so a sandbox is never handed to a service.
        key.labels = spec.labels.merging([
            ResourceLabels.standbyTTL: String(Int(ttl.rounded(.up))), ResourceLabels.mode: spec.effectiveMode.rawValue,
        ]) { $1 }
        // A standby's own network is named when it starts; alone on it, it needs no alias.
        key.networkMode = "none"
        key.networkAliases = []
        return StandbyKey(
            container: key, ownNetwork: network == "isolated", waitFor: spec.waitFor, readyTimeoutSeconds: spec.readyTimeoutSeconds)
    }

    /// The session's labels: a standby belongs to no environment until one takes it. Its expiry
    /// outlasts any environment that can still take it (``StandbyPool/maxAge``).
    static func standbyLabels(for environment: Environment) -> [String: String] {
        var labels = ResourceLabels.outliving(environment.labels)
        labels[ResourceLabels.cleanup] = CleanupPolicy.endOfSession.rawValue
        labels[ResourceLabels.standby] = "true"
        let ttl = (environment.expiresAt ?? environment.createdAt.addingTimeInterval(4 * 3600)).timeIntervalSince(environment.createdAt)
        labels[ResourceLabels.expiresAt] = String(Int((Date().timeIntervalSince1970 + ttl + StandbyPool.maxAge).rounded(.up)))
        return labels
    }

    /// Starts no standby beyond what the next `remaining` environments take
    /// (``StandbyPool/expect(_:)``), and keeps no more pooled networks idle than they can take —
    /// those not served by a standby already on a network of its own: the surplus is removed
    /// now, in the background, not all of it one after the other at the session's end (the
    /// daemon removes networks one at a time, ≈ 0.13 s each). At 0 no network is kept idle any
    /// more: those given back later are removed as they come back.
    func stopStandbys(after remaining: Int = 0) async {
        let unserved = await standby.expect(remaining)
        let idle = remaining == 0 ? await networks.stop() : await networks.keepAtMost(unserved)
        guard !idle.isEmpty else { return }
        background.start(.removals) { await self.removePooled(idle) }
    }

    /// Waits for the standbys being started and the engine's own removals (pooled networks), so
    /// measurements and tests see a quiet daemon. An engine made outside a manager has a
    /// background group of its own, which the manager's wait does not cover.
    func waitForBackgroundWork() async {
        await standby.waitForStarts()
        await background.waitForAll([.removals])
    }

    /// Removes the unclaimed standbys and the idle pooled networks. `reopen`: see
    /// ``StandbyPool/drain(engine:reopen:)``.
    func drainStandbys(reopen: Bool = false) async {
        await standby.drain(engine: self, reopen: reopen)
        await drainNetworkPool(reopen: reopen)
    }
}
