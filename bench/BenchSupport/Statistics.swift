import Foundation

/// Summary of one scenario's samples, in milliseconds.
package struct Statistics: Sendable, Codable {
    package var medianMs: Double
    package var p90Ms: Double
    package var minMs: Double
    package var maxMs: Double
    package var meanMs: Double

    package init(_ samples: [Duration]) {
        self.init(milliseconds: samples.map(\.milliseconds))
    }

    package init(milliseconds samples: [Double]) {
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
    package static func median(_ sorted: [Double]) -> Double {
        let middle = sorted.count / 2
        return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
    }
}

extension Duration {
    package var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}

/// Lays out a table: each column as wide as its widest cell, the `rightAligned` columns padded on the left.
package func renderTable(_ rows: [[String]], rightAligned: some RangeExpression<Int>) -> [String] {
    guard let header = rows.first else { return [] }
    let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
        row.indices.map { column in
            let cell = row[column]
            let padding = String(repeating: " ", count: widths[column] - cell.count)
            return rightAligned.contains(column) ? padding + cell : cell + padding
        }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
}
