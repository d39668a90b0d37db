import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat

extension DockerClient {
    /// Creates a container (not started).
    ///
    /// - Throws: `notFound` when the image is not present locally (pull or build it first),
    ///   `conflict` when the name is taken, `badParameter` with the daemon's message for an invalid spec.
    public func createContainer(_ spec: ContainerSpec) async throws -> ContainerCreateResponse {
        var query: Query = ["name": spec.name]
        query.add("platform", spec.platform)
        return try await json(.POST, "/containers/create", query: query, body: ContainerCreateBody(spec))
    }

    /// Starts a container. Starting a running container is not an error.
    public func startContainer(_ id: String) async throws {
        try await send(.POST, "/containers/\(Self.pathComponent(id))/start", allowedStatuses: [304])
    }

    /// Stops a container: its stop signal, then SIGKILL after `timeoutSeconds`.
    /// Stopping a stopped container is not an error.
    public func stopContainer(_ id: String, timeoutSeconds: Int? = nil) async throws {
        try await send(
            .POST, "/containers/\(Self.pathComponent(id))/stop", query: ["t": timeoutSeconds.map(String.init)],
            allowedStatuses: [304], timeout: .seconds((timeoutSeconds ?? 10) + 60)
        )
    }

    /// Sends a signal (default `SIGKILL`) to the container's main process.
    public func killContainer(_ id: String, signal: String? = nil) async throws {
        try await send(.POST, "/containers/\(Self.pathComponent(id))/kill", query: ["signal": signal])
    }

    public func restartContainer(_ id: String, timeoutSeconds: Int? = nil) async throws {
        try await send(
            .POST, "/containers/\(Self.pathComponent(id))/restart", query: ["t": timeoutSeconds.map(String.init)],
            timeout: .seconds((timeoutSeconds ?? 10) + 60)
        )
    }

    /// Freezes the container's processes.
    ///
    /// runc gives up on a cgroup whose processes do not all reach the frozen state in time
    /// (`unable to freeze`, seen on a loaded machine) and thaws it again; that is transient,
    /// so the pause is tried again, a few times, before the error is the caller's.
    public func pauseContainer(_ id: String) async throws {
        var attempt = 1
        while true {
            do {
                try await send(.POST, "/containers/\(Self.pathComponent(id))/pause")
                return
            } catch let error as DockerError where attempt < 4 && error.message.contains("unable to freeze") {
                attempt += 1
                try await Task.sleep(for: .milliseconds(100 * attempt))
            }
        }
    }

    public func unpauseContainer(_ id: String) async throws {
        try await send(.POST, "/containers/\(Self.pathComponent(id))/unpause")
    }

    /// Waits until the container reaches `condition` and returns its exit status.
    ///
    /// - Throws: `timeout` when it does not happen within `timeout`; the container is left as it is.
    public func waitContainer(
        _ id: String,
        condition: WaitCondition = .notRunning,
        timeout: Duration = .seconds(3600)
    ) async throws -> ContainerWaitResult {
        try await json(
            .POST, "/containers/\(Self.pathComponent(id))/wait", query: ["condition": condition.rawValue],
            timeout: timeout
        )
    }

    /// Removes a container. `force` kills it first; `removeVolumes` also removes its anonymous volumes.
    public func removeContainer(_ id: String, force: Bool = false, removeVolumes: Bool = false) async throws {
        var query = Query()
        query.add("force", force)
        query.add("v", removeVolumes)
        try await send(.DELETE, "/containers/\(Self.pathComponent(id))", query: query)
    }

    public func inspectContainer(_ id: String) async throws -> ContainerInspect {
        try await json(.GET, "/containers/\(Self.pathComponent(id))/json")
    }

    /// Lists containers; `filters` as the Engine API takes them, e.g. `["label": ["a=b"]]`.
    public func listContainers(all: Bool = true, filters: [String: [String]] = [:]) async throws -> [ContainerSummary] {
        var query = Query()
        query.add("all", all)
        query.add(filters: filters)
        return try await json(.GET, "/containers/json", query: query)
    }

    /// Options for reading a container's logs.
    public struct LogOptions: Sendable {
        public var stdout = true
        public var stderr = true
        /// Only the last `tail` lines.
        public var tail: Int?
        /// Only lines since this Unix time (seconds, fractions allowed).
        public var since: Double?
        public var until: Double?
        /// Prefix each line with an RFC 3339 timestamp.
        public var timestamps = false

        public init(
            stdout: Bool = true, stderr: Bool = true, tail: Int? = nil, since: Double? = nil, until: Double? = nil, timestamps: Bool = false
        ) {
            self.stdout = stdout
            self.stderr = stderr
            self.tail = tail
            self.since = since
            self.until = until
            self.timestamps = timestamps
        }

        func query(follow: Bool) -> Query {
            var query = Query()
            query.add("stdout", stdout)
            query.add("stderr", stderr)
            query.add("tail", tail.map(String.init) ?? "all")
            query.add("since", since.map { String(format: "%.6f", $0) })
            query.add("until", until.map { String(format: "%.6f", $0) })
            query.add("timestamps", timestamps)
            query.add("follow", follow)
            return query
        }
    }

    /// Reads the logs written so far, stdout and stderr kept apart.
    /// For a container created with a TTY everything arrives as stdout.
    public func containerLogs(_ id: String, options: LogOptions = LogOptions()) async throws -> ContainerLogs {
        let path = "/containers/\(Self.pathComponent(id))/logs"
        let tty = try await inspectContainer(id).config.tty ?? false
        let reply = try await data(.GET, path, query: options.query(follow: false))
        if tty {
            return ContainerLogs(chunks: [OutputChunk(stream: .stdout, data: Data(buffer: reply.body))])
        }
        var decoder = OutputFrameDecoder()
        let chunks = try decoder.feed(reply.body) + decoder.finish()
        return ContainerLogs(chunks: chunks)
    }

    /// Follows the logs as they are written, until the container stops or the iteration ends.
    public func followContainerLogs(_ id: String, options: LogOptions = LogOptions()) async throws -> DockerStream<OutputChunk> {
        let path = "/containers/\(Self.pathComponent(id))/logs"
        let response = try await perform(.GET, path, query: options.query(follow: true))
        return .frames(response, client: self, operation: "GET \(path)")
    }
}
