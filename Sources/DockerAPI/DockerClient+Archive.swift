import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOFoundationCompat

/// What the daemon says about a path in a container (`X-Docker-Container-Path-Stat`).
public struct ContainerPathStat: Decodable, Sendable {
    public var name: String
    public var size: Int64
    /// Go's `os.FileMode` bits: permissions plus type flags in the high bits.
    public var mode: UInt32
    public var mtime: String?
    public var linkTarget: String?

    public var isDirectory: Bool { mode & (1 << 31) != 0 }
}

extension DockerClient {
    /// Extracts a tar archive into a directory of the container (which must exist).
    public func putArchive(_ containerID: String, path: String, tar: Data) async throws {
        _ = try await data(
            .PUT, "/containers/\(Self.pathComponent(containerID))/archive", query: ["path": path],
            headers: ["Content-Type": "application/x-tar"], body: .bytes(ByteBuffer(data: tar))
        )
    }

    /// Returns a tar archive of a path in the container and the path's stat.
    public func getArchive(_ containerID: String, path: String) async throws -> (tar: Data, stat: ContainerPathStat?) {
        let reply = try await data(.GET, "/containers/\(Self.pathComponent(containerID))/archive", query: ["path": path])
        var stat: ContainerPathStat?
        if let header = reply.headers.first(name: "X-Docker-Container-Path-Stat"),
            let json = Data(base64Encoded: header)
        {
            stat = try? JSONDecoder().decode(ContainerPathStat.self, from: json)
        }
        return (Data(buffer: reply.body), stat)
    }

    /// What is at a path of the container (`HEAD …/archive`, nothing transferred), or `nil` when nothing is.
    public func statPath(_ containerID: String, path: String) async throws -> ContainerPathStat? {
        let reply = try await data(
            .HEAD, "/containers/\(Self.pathComponent(containerID))/archive", query: ["path": path], allowedStatuses: [404])
        guard reply.status != 404 else { return nil }
        guard let header = reply.headers.first(name: "X-Docker-Container-Path-Stat"), let json = Data(base64Encoded: header) else {
            return nil
        }
        return try? JSONDecoder().decode(ContainerPathStat.self, from: json)
    }

    /// Copies a host file or directory tree into `containerDirectory`,
    /// keeping its name, contents and modes (`docker cp host ctr:dir`).
    ///
    /// - Throws: `invalidConfiguration` when the host path does not exist.
    public func copyIn(_ containerID: String, from hostPath: URL, to containerDirectory: String) async throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: hostPath.path, isDirectory: &isDirectory) else {
            throw DockerError(.invalidConfiguration, "copy: \(hostPath.path) does not exist on the host")
        }
        let tar =
            isDirectory.boolValue
            ? try TarArchive.archive(directory: hostPath, includingRootNamed: hostPath.lastPathComponent)
            : try TarArchive.archive(file: hostPath, as: hostPath.lastPathComponent)
        try await putArchive(containerID, path: containerDirectory, tar: tar)
    }

    /// Copies a file or directory of the container into `hostDirectory`
    /// (created when missing), keeping its name, contents and modes.
    public func copyOut(_ containerID: String, from containerPath: String, to hostDirectory: URL) async throws {
        let (tar, _) = try await getArchive(containerID, path: containerPath)
        try FileManager.default.createDirectory(at: hostDirectory, withIntermediateDirectories: true)
        try TarArchive.extract(tar, to: hostDirectory)
    }
}
