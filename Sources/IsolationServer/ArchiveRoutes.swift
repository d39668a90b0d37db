import DockerAPI
import Foundation
import IsolationCore
import IsolationProtocol

/// Files in and out over HTTP, where `copy_in`/`copy_out` would name paths on the server's
/// machine: the files travel in the request and the answer as a base64 tar archive, and the
/// server copies them through a directory of its own that it removes afterwards. The copy
/// follows `copy_in`/`copy_out`'s rule (`docker cp`'s) with the archive's one top-level member
/// in the place of the host path.
struct PutArchiveRequest: ABIRequest {
    var id: String
    /// A tar archive with one top-level member (a file or a directory), base64.
    var archive: String
    var destination: String?
    /// Copy the top-level directory's contents rather than the directory (a host path's `/.`).
    var contents: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, archive, destination, contents
    }
}

struct GetArchiveRequest: ABIRequest {
    var id: String
    var source: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, source
    }
}

extension CallRoutes {
    static let archiveMethods: Set<String> = ["put_archive", "get_archive"]

    /// The name of what `get_archive` answers with, whatever the source's name: the client
    /// places it by the copy rule.
    static let archivedMember = "payload"

    func transfer(method: String, body text: String, owner: String) async throws -> String {
        let scope = OwnerScope(manager: manager, owner: owner)
        let folder = manager.configuration.home.appendingPathComponent("serve-transfers").appendingPathComponent(UUID().uuidString)
        defer { try? FileManager.default.removeItem(at: folder) }
        switch method {
        case "put_archive":
            let request = try ProtocolJSON.decode(PutArchiveRequest.self, from: text, what: "request")
            try await scope.check(request.id)
            guard let data = Data(base64Encoded: request.archive) else {
                throw ABIError.invalidArgument("archive: not base64; send a tar archive encoded as base64", field: "archive")
            }
            let members = try TarArchive.entries(in: data)
            let roots = Set(members.compactMap { $0.path.split(separator: "/").first.map(String.init) })
            guard roots.count == 1, let root = roots.first, root != ".", root != ".." else {
                throw ABIError.invalidArgument(
                    "archive: holds \(roots.count) top-level members; put one file or directory at its top", field: "archive")
            }
            try TarArchive.extract(data, to: folder)
            let source = folder.appendingPathComponent(root).path + (request.contents == true ? "/." : "")
            try await manager.copyIn(request.id, from: URL(fileURLWithPath: source), to: request.destination ?? ".")
            return "{}"
        default:
            let request = try ProtocolJSON.decode(GetArchiveRequest.self, from: text, what: "request")
            try await scope.check(request.id)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try await manager.copyOut(request.id, from: request.source, to: folder.appendingPathComponent(Self.archivedMember))
            let archive = try TarArchive.archive(directory: folder)
            guard archive.count <= maxBodyBytes else {
                throw ServerError(
                    status: .contentTooLarge, code: "bodyTooLarge",
                    message: "source: '\(request.source)' archives to \(archive.count) bytes, over \(maxBodyBytes); copy less at once",
                    field: "source")
            }
            return try ProtocolJSON.encode(["archive": archive.base64EncodedString()])
        }
    }
}
