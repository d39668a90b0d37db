import DockerAPI
import Foundation

/// Where a new environment goes: the stated policy of decision 0011.
///
/// 1. Hosts the spec's `placement` rules out (`host.name==…`, `host.labels.KEY==…`, or `!=`) are skipped.
/// 2. Hosts that do not answer are skipped, each with its reason.
/// 3. Of the rest, a host that already has the spec's image comes first (no pull, no build);
///    then the one with the fewest live environments of this home (running containers
///    with its labels, counted on the host itself); then the one with the most memory free
///    (`/info`'s total less what those containers' limits reserve); then the settings' order.
///
/// When no host is left, the error lists every host and why.
extension DockerHostPool {
    /// How long a host may take to answer placement's questions before it counts as down:
    /// generous, as a loaded daemon answers slowly and is not down.
    static let probeTimeout = Duration.seconds(30)

    struct Placement {
        var host: DockerPoolSettings.Host
        var engine: DockerEngine
        var reason: String
    }

    private struct Candidate: Sendable {
        var index: Int
        var hasImage: Bool
        var live: Int
        var freeMemory: Int64
    }

    func place(_ spec: EnvironmentSpec) async throws -> Placement {
        var reasons: [Int: String] = [:]
        var eligible: [Int] = []
        for (index, entry) in hosts.enumerated() {
            if let rule = try Self.unmetRule(spec.placement, host: entry.host) {
                reasons[index] = "does not match placement '\(rule)'"
            } else {
                eligible.append(index)
            }
        }
        let probes = await withTaskGroup(of: (Int, Result<Candidate, any Error>).self) { group in
            for index in eligible {
                group.addTask { (index, await self.probe(index, image: spec.image)) }
            }
            return await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
        }
        var candidates: [Candidate] = []
        for (index, result) in probes {
            switch result {
            case .success(let candidate): candidates.append(candidate)
            case .failure(let error): reasons[index] = "down: \((error as? IsolationError)?.message ?? "\(error)")"
            }
        }
        let ordered = candidates.sorted {
            ($0.hasImage ? 0 : 1, $0.live, -$0.freeMemory, $0.index) < ($1.hasImage ? 0 : 1, $1.live, -$1.freeMemory, $1.index)
        }
        guard let best = ordered.first else {
            let all = hosts.indices.map { "\(hosts[$0].host.name) (\(hosts[$0].host.address)): \(reasons[$0] ?? "unknown")" }
            throw IsolationError(.engineUnavailable, "no host of the docker pool can take the environment: " + all.joined(separator: "; "))
        }
        var reason = "host \(hosts[best.index].host.name): \(best.live) live environment(s), \(best.freeMemory >> 20) MiB free"
        if best.hasImage { reason += ", has the image" }
        let skipped = reasons.keys.sorted().map { "\(hosts[$0].host.name) \(reasons[$0]!)" }
        if !skipped.isEmpty { reason += "; skipped: " + skipped.joined(separator: "; ") }
        return Placement(host: hosts[best.index].host, engine: hosts[best.index].engine, reason: reason)
    }

    /// What placement needs to know of a host, asked of the host itself (bounded: a host that
    /// does not answer within a few seconds counts as down).
    private func probe(_ index: Int, image: String?) async -> Result<Candidate, any Error> {
        let engine = hosts[index].engine
        let homeKey = ResourceLabels.homeKey(home)
        do {
            return .success(
                try await withDeadline(Self.probeTimeout, "host \(hosts[index].host.name)") {
                    try await engine.withClient { client in
                        let info = try await client.info()
                        let ours = try await client.listContainers(filters: [
                            "label": ["\(ResourceLabels.managed)=true", "\(ResourceLabels.home)=\(homeKey)"]
                        ])
                        var reserved: Int64 = 0
                        for container in ours {
                            reserved += (try? await client.inspectContainer(container.id).hostConfig.memory).flatMap { $0 } ?? 0
                        }
                        let hasImage = image == nil ? false : ((try? await client.inspectImage(image!)) != nil)
                        return Candidate(
                            index: index, hasImage: hasImage, live: ours.count, freeMemory: (info.memTotal ?? 0) - reserved)
                    }
                })
        } catch {
            return .failure(error)
        }
    }

    /// The first placement rule the host does not meet, or `nil`.
    ///
    /// - Throws: `invalidSpec` naming `placement[i]` for a rule the pool cannot read.
    static func unmetRule(_ rules: [String], host: DockerPoolSettings.Host) throws -> String? {
        for (index, rule) in rules.enumerated() {
            let negated = rule.contains("!=")
            let parts = rule.components(separatedBy: negated ? "!=" : "==")
            guard parts.count == 2 else {
                throw IsolationError(.invalidSpec, field: "placement[\(index)]", "'\(rule)': write ATTRIBUTE==VALUE or ATTRIBUTE!=VALUE")
            }
            let attribute = parts[0].trimmingCharacters(in: .whitespaces)
            let wanted = parts[1].trimmingCharacters(in: .whitespaces)
            let actual: String?
            if attribute == "host.name" {
                actual = host.name
            } else if attribute.hasPrefix("host.labels.") {
                actual = host.labels[String(attribute.dropFirst("host.labels.".count))]
            } else {
                throw IsolationError(
                    .invalidSpec, field: "placement[\(index)]",
                    "'\(attribute)' means nothing to a docker pool; use host.name or host.labels.KEY")
            }
            if (actual == wanted) == negated { return rule }
        }
        return nil
    }
}
