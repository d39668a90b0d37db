import DockerAPI
import Foundation

/// Jobs: one-off containers run to completion. The manager drives attempts and
/// retries; the engine runs one attempt and cleans up after it.
///
/// A job is handed over as an ``Environment`` that is never recorded: its id is the
/// job's, its labels are the job's, and its spec is the job's container fields, so
/// mounts, security and volume cleanup are those of environments.
extension DockerEngine {
    struct JobAttempt: Sendable {
        var container: String
        var exitCode: Int32
        var stdout: Data
        var stderr: Data
    }

    /// An attempt that ran past the job's deadline: its container was killed and removed.
    struct JobDeadlineExceeded: Error {
        /// The last lines the container wrote (stdout and stderr, in order).
        var lastOutput: String
    }

    /// Runs one attempt: creates and starts the container, waits for it to exit (at most
    /// until `deadline`) and reads its logs. The exited container is left for the caller.
    ///
    /// - Throws: ``JobDeadlineExceeded`` (the container gone) when `deadline` passes first;
    ///   ``IsolationError`` otherwise, with the container removed.
    func runJobAttempt(_ job: Environment, image: String, name: String, deadline: ContinuousClock.Instant) async throws -> JobAttempt {
        let spec = job.spec
        var container = ContainerSpec(image: image)
        container.name = name
        container.command = spec.command
        container.entrypoint = spec.entrypoint
        container.runInit = true
        container.environment = Self.containerVariables(of: spec)
        container.workingDirectory = spec.workdir
        container.user = spec.user
        container.labels = job.labels
        container.stopTimeoutSeconds = 1
        container.security = Self.security(of: spec)
        container.resources = try Self.containerResources(spec.resources)
        container.networkMode = spec.network ?? "none"
        return try await withClient { client in
            container.mounts = try await self.mounts(for: job, client: client)
            let id = try await self.createContainerPulling(container, of: job, client: client)
            do {
                try await client.startContainer(id)
                let exitCode: Int
                do {
                    exitCode = try await Self.waitForExit(id, client: client, deadline: deadline)
                } catch let error as DockerError where error.code == .timeout {
                    try? await client.killContainer(id)
                    let logs = try? await client.containerLogs(id, options: .init(tail: 20))
                    try? await client.removeContainer(id, force: true, removeVolumes: true)
                    let text = logs.map { $0.chunks.reduce(into: Data()) { $0 += $1.data } }.map { String(decoding: $0, as: UTF8.self) }
                    throw JobDeadlineExceeded(lastOutput: Self.lastLines(text ?? "", 20))
                }
                let logs = try await client.containerLogs(id)
                return JobAttempt(container: id, exitCode: Int32(clamping: exitCode), stdout: logs.stdout, stderr: logs.stderr)
            } catch {
                try? await client.removeContainer(id, force: true, removeVolumes: true)
                // The daemon checks the network only when the container starts.
                if let error = error as? DockerError, error.code == .notFound, error.message.lowercased().contains("network") {
                    throw IsolationError(
                        .invalidSpec, field: "network",
                        "'\(spec.network ?? "")' does not exist (\(error.message)); create it first, or use \"bridge\"")
                }
                throw error
            }
        }
    }

    /// Waits for the container to exit, at most until `deadline`, and returns its exit code.
    ///
    /// The daemon's wait answers when it has handled the exit; a look at the container's
    /// state each second beside it covers an answer that comes late (CI once saw a job's
    /// output written and its wait still open at the deadline on a loaded daemon).
    static func waitForExit(_ id: String, client: DockerClient, deadline: ContinuousClock.Instant) async throws -> Int {
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                try await client.waitContainer(id, timeout: max(deadline - .now, .milliseconds(1))).statusCode
            }
            group.addTask {
                while true {
                    try await Task.sleep(until: min(.now + .seconds(1), deadline))
                    guard ContinuousClock.now < deadline else {
                        throw DockerError(.timeout, "container \(id) still running at the deadline")
                    }
                    let state = try await client.inspectContainer(id).state
                    if !state.running && !state.restarting && (state.status == "exited" || state.status == "dead") {
                        return state.exitCode
                    }
                }
            }
            defer { group.cancelAll() }
            guard let exitCode = try await group.next() else { throw CancellationError() }
            return exitCode
        }
    }

    /// Removes a finished attempt's container, and with `volumes` the job's named volumes.
    func removeJob(_ job: Environment, container: String?, volumes: Bool) async throws {
        try await withClient { client in
            if let container {
                do {
                    try await client.removeContainer(container, force: true, removeVolumes: true)
                } catch let error as DockerError where error.code == .notFound {}
            }
            if volumes { try await self.removeVolumes(of: job, client: client) }
        }
    }

    static func lastLines(_ text: String, _ count: Int) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).suffix(count + 1).joined(separator: "\n")
            .trimmingCharacters(in: .newlines)
    }
}
