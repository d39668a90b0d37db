import DockerAPI
import Synchronization

/// Sums a pull's per-layer download progress into one line — `12.3MB / 45.6MB` — reported at
/// each tenth of the total, so a pull says how far it is without an event per chunk.
final class PullTally: Sendable {
    private struct Layers {
        var current: [String: Int64] = [:]
        var total: [String: Int64] = [:]
        var reportedTenth = -1
    }

    private let layers = Mutex(Layers())

    /// The line to report for `event`, or `nil` when it changes nothing worth a line.
    func record(_ event: ProgressEvent) -> String? {
        guard event.status == "Downloading", let layer = event.id, let detail = event.progressDetail,
            let current = detail.current, let total = detail.total, total > 0
        else { return nil }
        return layers.withLock { layers in
            layers.current[layer] = current
            layers.total[layer] = total
            let done = layers.current.values.reduce(0, +)
            let all = layers.total.values.reduce(0, +)
            let tenth = Int(done * 10 / max(all, 1))
            guard tenth > layers.reportedTenth else { return nil }
            layers.reportedTenth = tenth
            return "\(ProgressFormat.bytes(done)) / \(ProgressFormat.bytes(all)) downloaded"
        }
    }
}
