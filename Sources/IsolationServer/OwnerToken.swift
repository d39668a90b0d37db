package import Foundation
package import IsolationCore

/// One entry of the tokens file: a bearer token, the owner it stands for, and that owner's limits.
/// Strict like every schema of the project: snake_case, unknown fields refused, ranges checked.
package struct OwnerToken: Decodable, Sendable {
    package var token: String
    package var owner: String
    package var maxLive: Int?
    package var maxCpus: Double?
    package var maxMemory: Int64?
    package var requestsPerSecond: Double?
    /// Unix seconds; a request with the token after it is refused (401).
    package var expiresAt: Date?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case token, owner, maxLive, maxCpus, maxMemory, requestsPerSecond, expiresAt
    }

    package init(
        token: String, owner: String, maxLive: Int? = nil, maxCpus: Double? = nil, maxMemory: Int64? = nil,
        requestsPerSecond: Double? = nil, expiresAt: Date? = nil
    ) {
        self.token = token
        self.owner = owner
        self.maxLive = maxLive
        self.maxCpus = maxCpus
        self.maxMemory = maxMemory
        self.requestsPerSecond = requestsPerSecond
        self.expiresAt = expiresAt
    }

    package init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        token = try container.decode(String.self, forKey: .token)
        owner = try container.decode(String.self, forKey: .owner)
        maxLive = try container.decodeIfPresent(Int.self, forKey: .maxLive)
        maxCpus = try container.decodeIfPresent(Double.self, forKey: .maxCpus)
        maxMemory = try container.decodeIfPresent(Int64.self, forKey: .maxMemory)
        requestsPerSecond = try container.decodeIfPresent(Double.self, forKey: .requestsPerSecond)
        expiresAt = try container.decodeIfPresent(Date.self, forKey: .expiresAt)
    }

    /// Checks one entry; `index` names it in the error (`tokens[2].owner`).
    func validate(index: Int) throws {
        let at = "tokens[\(index)]"
        // A short token can be guessed; the token itself is never put in a message.
        guard (16...512).contains(token.utf8.count) else {
            throw IsolationError(.invalidSpec, field: "\(at).token", "must be 16 to 512 bytes; generate one with `openssl rand -hex 32`")
        }
        let ownerCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "._-"))
        guard (1...64).contains(owner.utf8.count), owner.unicodeScalars.allSatisfy({ $0.isASCII && ownerCharacters.contains($0) })
        else {
            throw IsolationError(.invalidSpec, field: "\(at).owner", "must be 1 to 64 of A-Z a-z 0-9 . _ -")
        }
        if let maxLive, !(0...100_000).contains(maxLive) {
            throw IsolationError(.invalidSpec, field: "\(at).max_live", "\(maxLive) must be 0 to 100000 environments")
        }
        if let maxCpus, !(maxCpus > 0 && maxCpus <= 4096) {
            throw IsolationError(.invalidSpec, field: "\(at).max_cpus", "must be above 0 and at most 4096 CPUs")
        }
        if let maxMemory, !(1...(1 << 50)).contains(maxMemory) {
            throw IsolationError(.invalidSpec, field: "\(at).max_memory", "must be 1 to 2^50 bytes")
        }
        if let requestsPerSecond, !(requestsPerSecond > 0 && requestsPerSecond <= 1_000_000) {
            throw IsolationError(.invalidSpec, field: "\(at).requests_per_second", "must be above 0 and at most 1000000")
        }
    }
}

/// The tokens file: a JSON array of ``OwnerToken``.
package enum TokensFile {
    /// Reads and checks the file. Tokens and owners must each be unique.
    ///
    /// - Throws: ``IsolationError`` naming the entry and field (never the token's value).
    package static func load(_ url: URL) throws -> [OwnerToken] {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw IsolationError(.ioFailure, field: "tokens", "cannot read \(url.path): \(error.localizedDescription)")
        }
        let tokens = try SchemaJSON.decode([OwnerToken].self, from: data, what: "tokens")
        try check(tokens)
        return tokens
    }

    package static func check(_ tokens: [OwnerToken]) throws {
        guard !tokens.isEmpty else {
            throw IsolationError(.invalidSpec, field: "tokens", "no tokens; give at least one {token, owner}")
        }
        var owners = Set<String>()
        var values = Set<String>()
        for (index, entry) in tokens.enumerated() {
            try entry.validate(index: index)
            guard owners.insert(entry.owner).inserted else {
                throw IsolationError(.invalidSpec, field: "tokens[\(index)].owner", "'\(entry.owner)' is given twice; one token per owner")
            }
            guard values.insert(entry.token).inserted else {
                throw IsolationError(.invalidSpec, field: "tokens[\(index)].token", "is the same as an earlier entry's; tokens must differ")
            }
        }
    }
}
