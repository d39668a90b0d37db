import DockerAPI
import Foundation

/// Containers started ahead of need: after an environment is created from a
/// spec, a standby container of the same spec is started in the background,
/// and the next environment of that spec takes it instead of waiting for a
/// start. Start is most of a container's cost; this moves it off the
/// caller's critical path.
///
/// A standby carries the session's labels (not an environment's), so a
/// session's end — the reaper, or ``drain()`` — removes unclaimed ones.
/// Only specs whose container needs nothing after its start qualify: no
/// network, ports, volumes, secret files or readiness waits.
actor StandbyPool {
    /// Standbys kept ready per spec.
    let depth: Int
    /// A standby older than this is removed, not taken: its expiry label, set at its own start,
    /// must not run out before the environment that takes it does.
    static let maxAge: TimeInterval = 600

    private struct Standby {
        var id: String
        var startedAt: Date
    }

    private var ready: [ContainerSpec: [Standby]] = [:]
    private var work: [UUID: (key: ContainerSpec, task: Task<Void, Never>)] = [:]
    /// Set by ``drain(engine:)``: a create still in flight then starts no new standby.
    private var closed = false

    init(depth: Int) {
        self.depth = depth
    }

    nonisolated var isEnabled: Bool { depth > 0 }

    /// A running standby of `key`, now the caller's; `nil` when none is ready or starting.
    /// One that is starting is waited for: it is further along than a start from scratch.
    func claim(_ key: ContainerSpec, client: DockerClient) async -> String? {
        while ready[key]?.isEmpty ?? true, let starting = work.values.first(where: { $0.key == key })?.task {
            await starting.value
        }
        while let standby = ready[key]?.popLast() {
            let fresh = Date().timeIntervalSince(standby.startedAt) < Self.maxAge
            // One inspect: a standby that died (or was removed by a cleanup) must not be handed out.
            if fresh, let state = try? await client.inspectContainer(standby.id), state.state.running {
                return standby.id
            }
            _ = try? await client.removeContainer(standby.id, force: true, removeVolumes: true)
        }
        return nil
    }

    /// Starts standbys of `key` in the background until `depth` are ready or starting.
    /// `labels` are the session's labels the standby carries until it is taken.
    func refill(_ key: ContainerSpec, labels: [String: String], engine: DockerEngine) {
        let starting = work.values.count { $0.key == key }
        let missing = depth - (ready[key]?.count ?? 0) - starting
        guard missing > 0, !closed else { return }
        for _ in 0..<missing {
            let token = UUID()
            work[token] = (
                key,
                Task {
                    let id = await Self.start(key, labels: labels, engine: engine)
                    self.finished(key, token: token, id: id)
                }
            )
        }
    }

    private func finished(_ key: ContainerSpec, token: UUID, id: String?) {
        work[token] = nil
        if let id { ready[key, default: []].append(Standby(id: id, startedAt: Date())) }
    }

    private static func start(_ key: ContainerSpec, labels: [String: String], engine: DockerEngine) async -> String? {
        var container = key
        container.name = "ptest-iso-standby-\(UUID().uuidString.prefix(12).lowercased())"
        container.labels = key.labels.merging(labels) { $1 }
        return try? await engine.withClient { client in
            let id = try await client.createContainer(container).id
            do {
                try await client.startContainer(id)
            } catch {
                _ = try? await client.removeContainer(id, force: true, removeVolumes: true)
                throw error
            }
            return id
        }
    }

    /// Waits for the standbys being started.
    func waitForStarts() async {
        while let pending = work.values.first?.task {
            await pending.value
        }
    }

    /// Removes every unclaimed standby (after the ones being started are up).
    func drain(engine: DockerEngine) async {
        closed = true
        await waitForStarts()
        let unclaimed = ready.values.flatMap { $0 }.map(\.id)
        ready = [:]
        guard !unclaimed.isEmpty else { return }
        _ = try? await engine.withClient { client in
            await withTaskGroup(of: Void.self) { group in
                for id in unclaimed {
                    group.addTask { _ = try? await client.removeContainer(id, force: true, removeVolumes: true) }
                }
            }
        }
    }
}
