/// The keys of `details` that versions before the one dialect wrote in camelCase, and their
/// snake_case names now (decision 0017).
///
/// The core reads only the new names, so a record written before — a state database's rows, a
/// snapshot archive's `snapshot.json` — is upgraded as it is read in; otherwise an old
/// environment's `owned_network` would be missed at removal and its network leaked.
enum LegacyDetailKeys {
    static let renamed: [String: String] = [
        "imageId": "image_id", "imageCache": "image_cache", "contextDigest": "context_digest",
        "interpreterSource": "interpreter_source", "engineReason": "engine_reason",
        "templateDiscarded": "template_discarded", "templateKey": "template_key",
        "snapshotImage": "snapshot_image", "snapshotVolumes": "snapshot_volumes", "restoredFrom": "restored_from",
        "importedFrom": "imported_from", "ownedNetwork": "owned_network", "sharedNetwork": "shared_network",
        "secretsNotGiven": "secrets_not_given",
    ]

    /// `details` with every legacy key under its new name (a new name already present wins).
    static func upgraded(_ details: [String: String]) -> [String: String] {
        var result = details
        for (old, new) in renamed {
            guard let value = result.removeValue(forKey: old) else { continue }
            if result[new] == nil { result[new] = value }
        }
        return result
    }
}

extension Snapshot {
    /// This snapshot as the current version names its details (read from an older archive).
    func withUpgradedDetails() -> Snapshot {
        var copy = self
        copy.details = LegacyDetailKeys.upgraded(details)
        return copy
    }
}
