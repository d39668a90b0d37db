/// Summary of one method's samples in one scenario, in milliseconds.
struct Statistics: Sendable, Codable {
    var medianMs: Double
    var p90Ms: Double
    var minMs: Double
    var maxMs: Double
    var meanMs: Double

    init(_ samples: [Duration]) {
        let sorted = samples.map(\.milliseconds).sorted()
        precondition(!sorted.isEmpty, "no samples")
        let middle = sorted.count / 2
        medianMs = sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
        // Nearest rank: the smallest sample with at least 90 % of samples at or below it.
        let rank = (sorted.count * 9 + 9) / 10
        p90Ms = sorted[rank - 1]
        minMs = sorted[0]
        maxMs = sorted[sorted.count - 1]
        meanMs = sorted.reduce(0, +) / Double(sorted.count)
    }
}

extension Duration {
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
