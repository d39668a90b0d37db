import AsyncHTTPClient
public import Foundation
import NIOCore

/// The archive API without holding the archive in memory: to and from host
/// files, and straight from one container path into another.
extension DockerClient {
    /// Writes the tar of `path` in the container to `file`; returns its size.
    ///
    /// - Throws: `notFound` when the container or path does not exist; `timeout` (the partial file is removed).
    @discardableResult
    public func getArchive(_ containerID: String, path: String, to file: URL, timeout: Duration = .seconds(1800)) async throws
        -> Int64
    {
        let output = try FileOutput.create(file)
        defer { output.close() }
        do {
            return try await getArchive(containerID, path: path, into: output, timeout: timeout)
        } catch {
            try? FileManager.default.removeItem(at: file)
            throw error
        }
    }

    /// Appends the tar of `path` in the container at the output's position; returns its size.
    package func getArchive(_ containerID: String, path: String, into output: FileOutput, timeout: Duration = .seconds(1800))
        async throws -> Int64
    {
        try await download(
            .GET, "/containers/\(Self.pathComponent(containerID))/archive", query: ["path": path], into: output, timeout: timeout)
    }

    /// Extracts the tar in `file` into `directory` of the container (which must exist).
    public func putArchive(_ containerID: String, path directory: String, from file: URL, timeout: Duration = .seconds(1800))
        async throws
    {
        try await putArchive(containerID, path: directory, from: try FileChunks(path: file.path), timeout: timeout)
    }

    /// Extracts a tar that is a byte range of a host file into `directory` of the container.
    package func putArchive(_ containerID: String, path directory: String, from chunks: FileChunks, timeout: Duration = .seconds(1800))
        async throws
    {
        try await upload(containerID, directory: directory, body: .stream(chunks, length: .known(chunks.length)), timeout: timeout)
    }

    /// Copies `path` of one container into `directory` of another (or the same) container,
    /// keeping names, modes and owners: the reply of one request is the body of the next,
    /// so the data streams through and is never stored.
    ///
    /// Works on created and stopped containers too: the daemon mounts their volumes for the copy.
    ///
    /// - Throws: `notFound` when a container or the source path does not exist; `timeout`.
    public func copyArchive(
        from sourceID: String, path: String, to destinationID: String, directory: String, timeout: Duration = .seconds(1800)
    ) async throws {
        let operation = "copying \(path) of \(sourceID.prefix(12)) to \(directory) of \(destinationID.prefix(12))"
        try await withDeadline(timeout, operation) {
            let source = try await self.perform(
                .GET, "/containers/\(Self.pathComponent(sourceID))/archive", query: ["path": path], headTimeout: timeout)
            try await self.upload(destinationID, directory: directory, body: .stream(source.body, length: .unknown), timeout: timeout)
        }
    }

    private func upload(_ containerID: String, directory: String, body: HTTPClientRequest.Body, timeout: Duration) async throws {
        _ = try await data(
            .PUT, "/containers/\(Self.pathComponent(containerID))/archive", query: ["path": directory],
            headers: ["Content-Type": "application/x-tar"], body: body, timeout: timeout)
    }
}
