import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1

/// `docker save` and `docker load`: images as tar files, streamed to and
/// from disk so an image of any size passes through a bounded amount of memory.
extension DockerClient {
    /// Writes `name` (an id or `repo:tag`) as a `docker save` tar to `file`, replacing it.
    ///
    /// - Returns: the number of bytes written.
    /// - Throws: `notFound` for an unknown image; `timeout` when the whole transfer is not done
    ///   within `timeout` (the partial file is removed); `fileSystem` when the file cannot be written.
    @discardableResult
    public func saveImage(_ name: String, to file: URL, timeout: Duration = .seconds(1800)) async throws -> Int64 {
        let output = try FileOutput.create(file)
        defer { output.close() }
        do {
            return try await saveImage(name, into: output, timeout: timeout)
        } catch {
            try? FileManager.default.removeItem(at: file)
            throw error
        }
    }

    /// Appends the `docker save` tar of `name` at the output's position; returns its size.
    package func saveImage(_ name: String, into output: FileOutput, timeout: Duration = .seconds(1800)) async throws -> Int64 {
        let path = "/images/\(Self.pathComponent(name))/get"
        return try await download(.GET, path, query: [:], into: output, timeout: timeout)
    }

    /// Appends one `docker save` tar of all of `names` (ids or `repo:tag`) at the output's position,
    /// so layers they share are written once; returns its size.
    package func saveImages(_ names: [String], into output: FileOutput, timeout: Duration = .seconds(1800)) async throws -> Int64 {
        var query = Query()
        for name in names { query.add("names", name) }
        return try await download(.GET, "/images/get", query: query, into: output, timeout: timeout)
    }

    /// Loads a `docker save` tar from `file` (as `docker load`).
    ///
    /// - Returns: what the daemon reports loading: `repo:tag` references, or image ids
    ///   (`sha256:…`) for images saved by id.
    /// - Throws: `streamError` with the daemon's message when the tar is not an image archive
    ///   (the daemon answers 200 and reports the failure in the stream); `timeout`; `fileSystem`.
    @discardableResult
    public func loadImage(from file: URL, timeout: Duration = .seconds(1800)) async throws -> [String] {
        try await loadImage(from: try FileChunks(path: file.path), timeout: timeout)
    }

    /// Loads a small image tar held in memory: an image configuration whose layers the daemon has.
    @discardableResult
    public func loadImage(tar: Data, timeout: Duration = .seconds(600)) async throws -> [String] {
        try await loadImage(body: .bytes(ByteBuffer(data: tar)), timeout: timeout)
    }

    /// Loads an image tar that is a byte range of a larger file (a member of another tar).
    package func loadImage(from chunks: FileChunks, timeout: Duration = .seconds(1800)) async throws -> [String] {
        try await loadImage(body: .stream(chunks, length: .known(chunks.length)), timeout: timeout)
    }

    private func loadImage(body: HTTPClientRequest.Body, timeout: Duration) async throws -> [String] {
        let events = try await progressRequest(
            .POST, "/images/load", query: ["quiet": "1"], headers: ["Content-Type": "application/x-tar"],
            body: body, timeout: timeout, onProgress: nil)
        let prefixes = ["Loaded image ID: ", "Loaded image: "]
        let loaded = events.compactMap(\.stream).compactMap { line -> String? in
            guard let prefix = prefixes.first(where: line.hasPrefix) else { return nil }
            return line.dropFirst(prefix.count).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard !loaded.isEmpty else {
            throw DockerError(.protocolError, "POST /images/load finished without naming a loaded image")
        }
        return loaded
    }

    /// Sends a request and appends its reply body to `output` as it arrives, all within `timeout`.
    func download(_ method: HTTPMethod, _ path: String, query: Query, into output: FileOutput, timeout: Duration) async throws -> Int64 {
        try await withDeadline(timeout, "\(method) \(path)") {
            let response = try await self.perform(method, path, query: query, headTimeout: timeout)
            var total: Int64 = 0
            do {
                for try await chunk in response.body {
                    try output.append(chunk)
                    total += Int64(chunk.readableBytes)
                }
            } catch let error as DockerError {
                throw error
            } catch {
                throw self.mapTransportError(error, operation: "\(method) \(path)")
            }
            return total
        }
    }
}
