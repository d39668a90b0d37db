package import Foundation

/// Finds the owner of a bearer token. Every known token is compared in full, in constant time,
/// so the time a refusal takes says nothing about how close a guess was.
package struct Authenticator: Sendable {
    package enum Outcome: Sendable, Equatable {
        case owner(String)
        case missing
        case unknown
        case expired
    }

    private let tokens: [OwnerToken]

    package init(tokens: [OwnerToken]) {
        self.tokens = tokens
    }

    /// - Parameter header: the `Authorization` header's value, if any.
    package func authenticate(_ header: String?, now: Date = Date()) -> Outcome {
        guard let header, header.hasPrefix("Bearer ") else { return .missing }
        let given = Array(header.dropFirst("Bearer ".count).utf8)
        var found: OwnerToken?
        for entry in tokens where Self.equalInConstantTime(Array(entry.token.utf8), given) {
            found = entry
        }
        guard let found else { return .unknown }
        if let expiresAt = found.expiresAt, expiresAt <= now { return .expired }
        return .owner(found.owner)
    }

    package func entry(forOwner owner: String) -> OwnerToken? {
        tokens.first { $0.owner == owner }
    }

    /// Compares every byte of the longer of the two, whatever differs first.
    static func equalInConstantTime(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
