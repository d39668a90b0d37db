import DockerAPI
import Foundation

extension DockerEngine {
    /// Idle pooled networks kept per engine: enough for the standbys of a few specs.
    static let pooledNetworkCapacity = 4

    /// Whether `environment`'s private network may come from (and go back to) the pool: the
    /// pool is on when background work was asked for (standbys), and its networks carry the
    /// session's lifetime, so only environments that end with their test or session qualify.
    func usesNetworkPool(_ environment: Environment) -> Bool {
        let spec = environment.spec
        return standby.isEnabled && !spec.reuse && !spec.shared && (spec.cleanup == .endOfSession || spec.cleanup == .endOfTest)
    }

    /// A private network from the pool, or a new one for it. `labels` are the session's
    /// (``standbyLabels(for:)``); their expiry says how long the network must last.
    ///
    /// Docker cannot relabel a network, so a new one's expiry label is set a standby's
    /// lifetime (``StandbyPool/maxAge``) past what is needed now: it serves later environments
    /// for that long, then is replaced.
    func pooledNetwork(labels: [String: String], client: DockerClient) async throws -> String {
        // standbyLabels(for:) always sets it.
        let needed = labels[ResourceLabels.expiresAt].flatMap(Double.init) ?? Date().timeIntervalSince1970 + StandbyPool.maxAge
        if let name = await networks.take(lastingUntil: Date(timeIntervalSince1970: needed)) { return name }
        let name = "ptest-iso-net-\(UUID().uuidString.prefix(12).lowercased())"
        let expiresAt = needed + StandbyPool.maxAge
        try await createNetwork(name, labels: labels.merging([ResourceLabels.expiresAt: String(Int(expiresAt))]) { $1 }, client: client)
        await networks.created(name, expiresAt: Date(timeIntervalSince1970: expiresAt))
        return name
    }

    /// Gives a network back to the pool once its environment's containers are gone, or removes
    /// it when it is not the pool's (or the pool is full or drained).
    func releaseNetwork(_ name: String, client: DockerClient) async throws {
        if await networks.giveBack(name) { return }
        try await client.removeNetwork(name)
    }

    /// Removes the idle pooled networks; the pool lends no more.
    func drainNetworkPool(reopen: Bool = false) async {
        await removePooledNetworks(await networks.drain(reopen: reopen))
    }

    /// Removes networks the pool handed back, one after the other: the daemon removes networks
    /// one at a time whoever asks. One whose removal fails goes back to the pool, never lent
    /// again, for its next drain to try (and the session's end finds it by label after that).
    func removePooledNetworks(_ names: [String]) async {
        for name in names {
            do {
                try await withClient { try await $0.removeNetwork(name) }
            } catch let error as IsolationError where error.code == .notFound {
                // Already gone: what was wanted.
            } catch {
                await networks.removeLater(name)
            }
        }
    }
}
