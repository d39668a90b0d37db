/// Summary of one scenario's samples, in milliseconds.
struct Statistics: Sendable, Codable {
    var medianMs: Double
    var p90Ms: Double
    var minMs: Double
    var maxMs: Double
    var meanMs: Double

    init(_ samples: [Duration]) {
        self.init(milliseconds: samples.map(\.milliseconds))
    }

    init(milliseconds samples: [Double]) {
        let sorted = samples.sorted()
        precondition(!sorted.isEmpty, "no samples")
        medianMs = Self.median(sorted)
        // Nearest rank: the smallest sample with at least 90 % of samples at or below it.
        let rank = (sorted.count * 9 + 9) / 10
        p90Ms = sorted[rank - 1]
        minMs = sorted[0]
        maxMs = sorted[sorted.count - 1]
        meanMs = sorted.reduce(0, +) / Double(sorted.count)
    }

    /// The median of already sorted values.
    static func median(_ sorted: [Double]) -> Double {
        let middle = sorted.count / 2
        return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
    }
}

extension Duration {
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
