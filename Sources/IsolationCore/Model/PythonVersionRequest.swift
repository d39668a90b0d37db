import Foundation

/// A Python version request: `3.11` (any 3.11.x), `3.11.7`, or clauses like `>=3.10,<3.13`.
public struct PythonVersionRequest: Sendable, Hashable, CustomStringConvertible {
    enum Operator: String, Sendable, CaseIterable {
        case greaterOrEqual = ">=", lessOrEqual = "<=", notEqual = "!=", equal = "==", greater = ">", less = "<"
    }

    struct Clause: Sendable, Hashable {
        var op: Operator?
        var version: [Int]
    }

    let clauses: [Clause]
    public let description: String

    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the request and the accepted forms.
    public init(_ text: String) throws {
        description = text
        var clauses: [Clause] = []
        for raw in text.split(separator: ",") {
            var part = raw.trimmingCharacters(in: .whitespaces)
            var op: Operator?
            // Longest operators first, so ">=" is not read as ">".
            for candidate in Operator.allCases where part.hasPrefix(candidate.rawValue) {
                op = candidate
                part = String(part.dropFirst(candidate.rawValue.count)).trimmingCharacters(in: .whitespaces)
                break
            }
            let numbers = part.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
            guard !numbers.isEmpty, numbers.count <= 3, numbers.allSatisfy({ $0 != nil }) else {
                throw IsolationError(
                    .invalidSpec, field: "python",
                    "'\(text)' is not a version request; use a path, \"3.11\", \"3.11.7\" or \">=3.10,<3.13\""
                )
            }
            clauses.append(Clause(op: op, version: numbers.map { $0! }))
        }
        guard !clauses.isEmpty else {
            throw IsolationError(.invalidSpec, field: "python", "'\(text)' is empty; use a path or a version like \"3.11\"")
        }
        self.clauses = clauses
    }

    /// Whether an interpreter of `version` (major, minor, micro) satisfies every clause.
    public func matches(_ version: [Int]) -> Bool {
        clauses.allSatisfy { clause in
            let wanted = clause.version
            let have = Array(version.prefix(wanted.count)) + Array(repeating: 0, count: max(0, wanted.count - version.count))
            let order = compare(have, wanted)
            switch clause.op {
            case nil, .equal: return order == 0
            case .notEqual: return order != 0
            case .greaterOrEqual: return compare(version, wanted) >= 0
            case .greater: return compare(version, wanted) > 0 && order != 0
            case .lessOrEqual: return order <= 0
            case .less: return compare(version, wanted) < 0
            }
        }
    }

    private func compare(_ lhs: [Int], _ rhs: [Int]) -> Int {
        for index in 0..<max(lhs.count, rhs.count) {
            let l = index < lhs.count ? lhs[index] : 0
            let r = index < rhs.count ? rhs[index] : 0
            if l != r { return l < r ? -1 : 1 }
        }
        return 0
    }
}
