import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

extension DockerClient {
    public func listImages(all: Bool = false, filters: [String: [String]] = [:]) async throws -> [ImageSummary] {
        var query = Query()
        query.add("all", all)
        query.add(filters: filters)
        return try await json(.GET, "/images/json", query: query)
    }

    public func inspectImage(_ name: String) async throws -> ImageInspect {
        try await json(.GET, "/images/\(Self.pathComponent(name))/json")
    }

    /// The daemon's whole inspect reply, for fields the typed ``ImageInspect`` leaves out
    /// (an image's configuration is rebuilt from it, and tests look for values in all of it).
    public func inspectImageJSON(_ name: String) async throws -> Data {
        let reply = try await data(.GET, "/images/\(Self.pathComponent(name))/json")
        return Data(buffer: reply.body)
    }

    /// Pulls an image (`name`, `name:tag` or `name@digest`; the tag defaults to `latest`).
    ///
    /// - Throws: `streamError` or the daemon's error, with its message, when the
    ///   registry cannot be reached or refuses; `unauthorized` for bad credentials.
    public func pullImage(
        _ reference: String,
        platform: String? = nil,
        auth: RegistryAuth? = nil,
        timeout: Duration = .seconds(1800),
        onProgress: (@Sendable (ProgressEvent) -> Void)? = nil
    ) async throws {
        let parsed = ImageReference(reference)
        var query: Query = ["fromImage": parsed.repository, "tag": parsed.tag]
        query.add("platform", platform)
        var headers = HTTPHeaders()
        if let auth { headers.add(name: "X-Registry-Auth", value: auth.headerValue) }
        do {
            try await progressRequest(.POST, "/images/create", query: query, headers: headers, timeout: timeout, onProgress: onProgress)
        } catch let error as DockerError {
            throw error.registryFailure("pulling \(reference)")
        }
    }

    /// Pushes an image to its registry. The daemon requires an auth header even for open registries.
    public func pushImage(
        _ reference: String,
        auth: RegistryAuth? = nil,
        timeout: Duration = .seconds(1800),
        onProgress: (@Sendable (ProgressEvent) -> Void)? = nil
    ) async throws {
        let parsed = ImageReference(reference)
        let headers: HTTPHeaders = ["X-Registry-Auth": (auth ?? RegistryAuth()).headerValue]
        do {
            try await progressRequest(
                .POST, "/images/\(Self.pathComponent(parsed.repository))/push", query: ["tag": parsed.tag],
                headers: headers, timeout: timeout, onProgress: onProgress
            )
        } catch let error as DockerError {
            throw error.registryFailure("pushing \(reference)")
        }
    }

    /// Builds an image from a context directory and returns the image id.
    ///
    /// The context is tarred here with `.dockerignore` honoured (the
    /// Dockerfile and `.dockerignore` are always sent).
    ///
    /// A build that failed only because the daemon's cache lookup raced an image removal is
    /// built again (up to five attempts, backing off from 0.1 s).
    ///
    /// - Throws: `streamError` with the failing step's message; `invalidConfiguration` when the
    ///   context or Dockerfile is missing.
    @discardableResult
    public func buildImage(
        _ options: ImageBuildOptions,
        timeout: Duration = .seconds(3600),
        onProgress: (@Sendable (ProgressEvent) -> Void)? = nil
    ) async throws -> String {
        let context = options.contextDirectory
        let dockerfile = context.appendingPathComponent(options.dockerfile)
        guard FileManager.default.fileExists(atPath: dockerfile.path) else {
            throw DockerError(
                .invalidConfiguration,
                "build: Dockerfile \(dockerfile.path) does not exist; set dockerfile relative to the context directory")
        }
        let tar = try Self.buildContext(options)
        var query = Query()
        for tag in options.tags { query.add("t", tag) }
        query.add("dockerfile", options.dockerfile)
        query.add(json: "buildargs", options.buildArgs)
        query.add(json: "labels", options.labels)
        query.add("nocache", options.noCache)
        query.add("rm", options.removeIntermediate)
        query.add("forcerm", options.removeIntermediate)
        query.add("platform", options.platform)
        query.add("target", options.target)
        // The classic builder looks for a cached step among every child of the step's parent image
        // and fails the build with "unable to find image" when one of them is removed during that
        // scan (another process's `rmi`, prune or cache eviction). Such removals come in bursts:
        // build again, backing off, within the one timeout. A failing Dockerfile fails at once.
        let deadline = ContinuousClock.now + timeout
        var pause = Duration.milliseconds(100)
        var attemptsLeft = 5
        var events: [ProgressEvent]
        while true {
            do {
                events = try await progressRequest(
                    .POST, "/build", query: query, headers: ["Content-Type": "application/x-tar"],
                    body: .bytes(ByteBuffer(data: tar)), timeout: deadline - .now, onProgress: onProgress
                )
                break
            } catch let error as DockerError
                where error.code == .streamError && error.message.hasPrefix("unable to find image") && attemptsLeft > 1
            {
                attemptsLeft -= 1
                try await Task.sleep(for: pause)
                pause *= 2
            }
        }
        if let id = events.last(where: { $0.aux?.id != nil })?.aux?.id {
            return id
        }
        // Older daemons only print "Successfully built <id>".
        if let line = events.compactMap(\.stream).last(where: { $0.hasPrefix("Successfully built ") }) {
            return line.dropFirst("Successfully built ".count).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        throw DockerError(.protocolError, "build finished without reporting an image id")
    }

    /// The build context as the daemon receives it: ``TarArchive/buildContext(directory:dockerfile:)``,
    /// the one implementation of what `docker build` sends.
    static func buildContext(_ options: ImageBuildOptions) throws -> Data {
        try TarArchive.buildContext(directory: options.contextDirectory, dockerfile: options.dockerfile)
    }

    /// Adds a tag (`repo[:tag]`) to an image.
    public func tagImage(_ name: String, as reference: String) async throws {
        let parsed = ImageReference(reference)
        try await send(.POST, "/images/\(Self.pathComponent(name))/tag", query: ["repo": parsed.repository, "tag": parsed.tag])
    }

    @discardableResult
    public func removeImage(_ name: String, force: Bool = false, noPrune: Bool = false) async throws -> [ImageDeleteItem] {
        var query = Query()
        query.add("force", force)
        query.add("noprune", noPrune)
        return try await json(.DELETE, "/images/\(Self.pathComponent(name))", query: query)
    }

    /// Creates an image from a root filesystem tarball, as `docker import`.
    ///
    /// - Parameter changes: Dockerfile instructions applied to the image, e.g. `CMD ["sh"]`.
    /// - Returns: the new image's id.
    @discardableResult
    public func importImage(
        rootfs tar: Data,
        reference: String,
        changes: [String] = [],
        timeout: Duration = .seconds(600)
    ) async throws -> String {
        let parsed = ImageReference(reference)
        var query: Query = ["fromSrc": "-", "repo": parsed.repository, "tag": parsed.tag]
        for change in changes { query.add("changes", change) }
        let events = try await progressRequest(
            .POST, "/images/create", query: query, headers: ["Content-Type": "application/x-tar"],
            body: .bytes(ByteBuffer(data: tar)), timeout: timeout, onProgress: nil
        )
        guard let id = events.compactMap(\.status).last(where: { $0.hasPrefix("sha256:") }) else {
            throw DockerError(.protocolError, "import of \(reference) finished without reporting an image id")
        }
        return id
    }

    /// Commits a container's filesystem to a new image; returns its id.
    @discardableResult
    public func commitContainer(_ id: String, options: CommitOptions = CommitOptions()) async throws -> String {
        var query: Query = ["container": id, "repo": options.repository, "tag": options.tag]
        query.add("comment", options.comment)
        query.add("author", options.author)
        query.add("pause", options.pause)
        for change in options.changes { query.add("changes", change) }
        struct Config: Encodable { var labels: [String: String]? }
        let reply: IDResponse = try await json(
            .POST, "/commit", query: query, body: Config(labels: options.labels.isEmpty ? nil : options.labels)
        )
        return reply.id
    }

    /// Removes unused images; `filters` e.g. `["label": ["a=b"]]`, `["dangling": ["false"]]`.
    @discardableResult
    public func pruneImages(filters: [String: [String]] = [:]) async throws -> PruneReport {
        var query = Query()
        query.add(filters: filters)
        return try await json(.POST, "/images/prune", query: query)
    }

    /// Runs a request whose reply is a progress stream, and fails on the
    /// first `error` line (the daemon reports many failures with HTTP 200).
    @discardableResult
    func progressRequest(
        _ method: HTTPMethod,
        _ path: String,
        query: Query,
        headers: HTTPHeaders,
        body: HTTPClientRequest.Body? = nil,
        timeout: Duration,
        onProgress: (@Sendable (ProgressEvent) -> Void)?
    ) async throws -> [ProgressEvent] {
        try await withDeadline(timeout, "\(method) \(path)") {
            let response = try await self.perform(method, path, query: query, headers: headers, body: body, headTimeout: timeout)
            var events: [ProgressEvent] = []
            for try await event in DockerStream<ProgressEvent>.jsonLines(response, client: self, operation: "\(method) \(path)") {
                if let message = event.errorDetail?.message ?? event.error {
                    throw DockerError(.streamError, message.trimmingCharacters(in: .whitespacesAndNewlines))
                }
                onProgress?(event)
                events.append(event)
            }
            return events
        }
    }
}

extension DockerError {
    /// Names the operation, and types a registry's refusal as `unauthorized`:
    /// the daemon reports it as HTTP 500 or inside a 200 stream, with only
    /// the registry's words to tell.
    func registryFailure(_ operation: String) -> DockerError {
        var error = self
        let text = message.lowercased()
        if text.contains("unauthorized") || text.contains("no basic auth credentials")
            || text.contains("authentication required") || text.contains("denied")
        {
            error.code = .unauthorized
        }
        error.message = "\(operation) failed: \(message)"
        return error
    }
}
