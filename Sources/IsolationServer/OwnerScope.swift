import Foundation
package import IsolationCore

/// Keeps each owner to its own environments on the shared manager: what an owner creates
/// carries the owner label, a list sees only the owner's, and an id of another owner's
/// environment is `notFound`, as if it did not exist.
package struct OwnerScope: Sendable {
    /// Outside the reserved `ptest-iso.` namespace, which specs may not set; the server
    /// overwrites whatever a request puts there.
    package static let ownerLabel = "ptest-iso-serve.owner"

    /// Methods that act on the whole manager or its session, or on paths of the server's machine
    /// (a snapshot's export and import): refused over HTTP.
    package static let refused: Set<String> = [
        "shutdown", "cancel_all", "destroy_session", "destroy_expired", "cleanup", "remove", "migrate", "collect_templates",
        "collect_images", "hold_session", "stop_standbys", "wait_for_background", "export_snapshot", "import_snapshot", "run_job",
        "session", "templates", "cached_images", "cancel",
    ]

    let manager: IsolationManager
    let owner: String

    package init(manager: IsolationManager, owner: String) {
        self.manager = manager
        self.owner = owner
    }

    /// The request as the owner may make it. A body that is not a JSON object goes through
    /// unchanged: the protocol's decoder names what is wrong with it.
    ///
    /// - Throws: `notFound` for another owner's id.
    package func scope(method: String, request text: String) async throws -> String {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else { return text }
        switch method {
        case "create":
            var spec = (object["spec"] as? [String: Any]) ?? (object["spec"] == nil ? [:] : nil)
            guard spec != nil else { return text }
            var labels = (spec?["labels"] as? [String: Any]) ?? [:]
            labels[Self.ownerLabel] = owner
            spec?["labels"] = labels
            object["spec"] = spec
        case "list":
            var labels = (object["labels"] as? [String: Any]) ?? (object["labels"] == nil ? [:] : nil)
            guard labels != nil else { return text }
            labels?[Self.ownerLabel] = owner
            object["labels"] = labels
        case "restore", "delete_snapshot":
            if let snapshot = object["snapshot"] as? String { try await checkSnapshot(snapshot) }
            return text
        default:
            if let id = object["id"] as? String { try await check(id) }
            return text
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// Refuses an id (or `ID/SERVICE` address) that is not one of the owner's environments.
    package func check(_ id: String) async throws {
        let environmentID = String(id.split(separator: "/", maxSplits: 1).first ?? "")
        let environment = try? await manager.get(environmentID)
        guard let environment, environment.labels[Self.ownerLabel] == owner else {
            throw IsolationError(.notFound, field: "id", "no environment '\(id)' of owner '\(owner)'")
        }
    }

    /// Refuses a snapshot (by id or name) not taken of one of the owner's environments: its spec
    /// carries the owner label of the environment it was taken of.
    package func checkSnapshot(_ idOrName: String) async throws {
        let snapshot = try? await manager.snapshot(named: idOrName)
        guard let snapshot, snapshot.spec.labels[Self.ownerLabel] == owner else {
            throw IsolationError(.notFound, field: "snapshot", "no snapshot '\(idOrName)' of owner '\(owner)'")
        }
    }

    /// The owner's snapshots.
    package func snapshots() async throws -> [Snapshot] {
        try await manager.snapshots().filter { $0.spec.labels[Self.ownerLabel] == owner }
    }
}
