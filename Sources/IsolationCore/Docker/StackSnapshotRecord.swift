import Foundation

/// What a snapshot of a compose stack records to restore it: the project as it ran, cut to the
/// services it started, each with its committed image in place of its `image` or `build`.
///
/// It is kept in the snapshot's details (as JSON with Swift's key names, like the state
/// database), so the state record, an exported archive's `snapshot.json` and the fronts carry it
/// with no change to ``Snapshot``'s shape.
struct StackSnapshotRecord: Sendable {
    /// The details' key holding the record.
    static let detailsKey = "compose.snapshot"

    var project: ComposeProject

    init(project: ComposeProject) {
        self.project = project
    }

    /// The snapshot's record, or `nil` for a snapshot of one container.
    ///
    /// - Throws: `snapshotFailed` when the snapshot has a record that does not read.
    init?(_ snapshot: Snapshot) throws {
        guard let text = snapshot.details[Self.detailsKey] else { return nil }
        do {
            project = try StatePayload.decode(ComposeProject.self, from: Data(text.utf8))
        } catch {
            throw IsolationError(
                .snapshotFailed, "snapshot \(snapshot.name): its record of the compose stack does not read (\(error)); take it again")
        }
    }

    func encoded() throws -> String {
        String(decoding: try StatePayload.encode(project), as: UTF8.self)
    }

    /// Each service's committed image, in the project's order.
    var images: [(service: String, image: String)] {
        project.services.map { ($0.name, $0.image ?? "") }
    }

    /// The tag that holds one service's image for the snapshot `snapshotID` (the image goes with its last tag).
    static func tag(_ snapshotID: String, service: String) -> String {
        "\(DockerEngine.snapshotRepository):\(tagName(snapshotID, service: service))"
    }

    static func tagName(_ snapshotID: String, service: String) -> String {
        "\(snapshotID)-\(service)"
    }
}
