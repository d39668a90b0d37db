import AsyncHTTPClient
import DockerAPI
import Foundation
import NIOCore

/// Waits until every strategy of the spec's `waitFor` passes, polling with
/// short sleeps growing to a tenth of a second. A container that stops fails the wait at once,
/// with its exit code and last log lines; a deadline that passes names the
/// strategies still failing.
extension DockerEngine {
    static let defaultReadyTimeout: Double = 60
    static let longestReadinessPause = Duration.milliseconds(100)
    /// How many log lines an error quotes.
    static let quotedLogLines = 20

    /// Waits for every strategy of `spec.waitFor` (see above). `giveUp` is asked before each
    /// round; `true` ends the wait with `CancellationError` (a standby whose spec's environment
    /// just failed after its start).
    func waitUntilReady(
        _ id: String, spec: EnvironmentSpec, hostPorts: [Int: Int], client: DockerClient, giveUp: (@Sendable () async -> Bool)? = nil
    ) async throws {
        guard !spec.waitFor.isEmpty else { return }
        let timeout = spec.readyTimeoutSeconds ?? Self.defaultReadyTimeout
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        var pending = Array(spec.waitFor.enumerated())
        // Short first pauses, then at most a tenth of a second: a service is usually ready within
        // tens of milliseconds of its start, and a growing pause (it reached half a second) kept
        // a test waiting long after its service was (testcontainers users poll every 0.1 s).
        var pause = Duration.milliseconds(10)
        var state: ContainerInspect.State
        while true {
            if let giveUp, await giveUp() { throw CancellationError() }
            state = try await client.inspectContainer(id).state
            guard state.running else {
                let waiting = pending.map { "wait_for[\($0.offset)] (\($0.element))" }.joined(separator: ", ")
                throw await exitedFailure(id, state: state, while: "waiting for \(waiting)", client: client)
            }
            var failing: [(offset: Int, element: WaitStrategy)] = []
            for entry in pending {
                let remaining = deadline - ContinuousClock.now
                if try await !check(
                    entry.element, index: entry.offset, id: id, state: state, hostPorts: hostPorts, within: remaining, client: client)
                {
                    failing.append(entry)
                }
            }
            pending = failing
            if pending.isEmpty { return }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else {
                let names = pending.map { "wait_for[\($0.offset)] (\($0.element))" }.joined(separator: ", ")
                throw IsolationError(
                    .timeout,
                    "\(names) did not pass within \(timeout) s; raise ready_timeout_seconds or fix what it waits for"
                        + Self.lastHealthOutput(state) + "\(await lastLogLines(id, client: client))")
            }
            try await Task.sleep(for: min(pause, remaining))
            pause = min(pause * 2, Self.longestReadinessPause)
        }
    }

    /// Whether one strategy passes now. Each probe is bounded by the time left (and a few seconds at most).
    private func check(
        _ strategy: WaitStrategy, index: Int, id: String, state: ContainerInspect.State, hostPorts: [Int: Int], within remaining: Duration,
        client: DockerClient
    ) async throws -> Bool {
        let probeTimeout = max(min(remaining, .seconds(5)), .milliseconds(100))
        switch strategy {
        case .log(let pattern, let times):
            let logs = try await client.containerLogs(id)
            let text = String(decoding: logs.chunks.reduce(into: Data()) { $0 += $1.data }, as: UTF8.self)
            let expression = try NSRegularExpression(pattern: pattern, options: [.anchorsMatchLines])
            return expression.numberOfMatches(in: text, range: NSRange(text.startIndex..., in: text)) >= times
        case .tcp(let port):
            // /proc/net/tcp* list the container's own sockets: no network and no tool but `cat` needed.
            let result = try await client.exec(id, ExecOptions(["cat", "/proc/net/tcp", "/proc/net/tcp6"], timeout: probeTimeout))
            if result.stdout.isEmpty, result.exitCode == 126 || result.exitCode == 127 {
                throw IsolationError(
                    .invalidSpec, field: "wait_for[\(index)].tcp",
                    "the image has no `cat` to read /proc/net/tcp; wait with log or http instead")
            }
            return Self.listens(on: port, table: result.stdoutText)
        case .http(let check):
            guard let hostPort = hostPorts[check.port] else { return false }
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(hostPort)\(check.path)")
            request.method = .GET
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(probeTimeout.milliseconds))
                _ = try? await response.body.collect(upTo: 1 << 20)
                return Int(response.status.code) == check.status
            } catch {
                // Refused, reset or slow: not ready yet.
                return false
            }
        case .health:
            guard let health = state.health else {
                throw IsolationError(
                    .invalidSpec, field: "wait_for[\(index)].health",
                    "the container has no healthcheck; set healthcheck in the spec or use an image with HEALTHCHECK"
                )
            }
            return health.status == "healthy"
        case .command(let argv):
            let result = try await client.exec(id, ExecOptions(argv, timeout: probeTimeout))
            return result.exitCode == 0 && !result.timedOut
        }
    }

    /// Whether `table` (the text of `/proc/net/tcp` or `tcp6`) has a socket listening on `port`.
    static func listens(on port: Int, table: String) -> Bool {
        table.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            // sl local_address rem_address st …; state 0A is LISTEN.
            guard fields.count > 3, fields[3] == "0A", let colon = fields[1].lastIndex(of: ":") else { return false }
            return Int(fields[1][fields[1].index(after: colon)...], radix: 16) == port
        }
    }

    /// What the last healthcheck said, as a suffix for an error message.
    static func lastHealthOutput(_ state: ContainerInspect.State) -> String {
        guard let health = state.health, let last = health.log?.last else { return "" }
        let output = last.output.trimmingCharacters(in: .whitespacesAndNewlines).prefix(500)
        return "; health is \(health.status), the last check exited with \(last.exitCode)" + (output.isEmpty ? "" : ": \(output)")
    }

    /// The failure of a creation whose container's process has exited while `doing`; `nil` while it runs.
    func exitedFailure(_ id: String, while doing: String, client: DockerClient) async -> IsolationError? {
        guard let state = try? await client.inspectContainer(id).state, !state.running else { return nil }
        return await exitedFailure(id, state: state, while: doing, client: client)
    }

    private func exitedFailure(_ id: String, state: ContainerInspect.State, while doing: String, client: DockerClient) async
        -> IsolationError
    {
        IsolationError(
            .invalidSpec,
            "command: the container exited with code \(state.exitCode) while \(doing); fix its command or image"
                + "\(await lastLogLines(id, client: client))")
    }

    /// The container's last log lines, as a suffix for an error message.
    func lastLogLines(_ id: String, client: DockerClient) async -> String {
        guard let logs = try? await client.containerLogs(id, options: .init(tail: Self.quotedLogLines)) else { return "" }
        let text = String(decoding: logs.chunks.reduce(into: Data()) { $0 += $1.data }, as: UTF8.self)
        return text.isEmpty ? "; it wrote no logs" : "; last log lines:\n\(text)"
    }
}

extension Duration {
    fileprivate var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
