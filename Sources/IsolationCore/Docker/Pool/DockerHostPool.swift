import DockerAPI
public import Foundation
import Synchronization

/// The Docker engine over a pool of plain Docker hosts (decision 0011): each new environment is
/// placed on one host by ``place(_:)``, and everything after goes to that host's own
/// ``DockerEngine``, named in the environment's details (`host`). Nothing of the Docker engine is
/// repeated here: the pool only chooses and hands over.
public final class DockerHostPool: DockerDelegatingEngine {
    public let kind = EngineKind.docker
    public let capabilities: Set<EngineCapability>
    public let priority = 50

    public let settings: DockerPoolSettings
    let home: URL
    /// One engine per host, in the settings' order.
    let hosts: [(host: DockerPoolSettings.Host, engine: DockerEngine)]
    /// The host of each job under way (its attempts run where its image was resolved).
    let jobHosts = Mutex<[String: DockerEngine]>([:])

    public init(settings: DockerPoolSettings, home: URL) {
        self.settings = settings
        self.home = home
        let images = ImageManager(home: home, maxBytes: ImageManager.defaultMaxBytes)
        self.hosts = settings.hosts.map { ($0, DockerEngine(environment: $0.clientEnvironment, images: images)) }
        self.capabilities = (hosts.first?.engine.capabilities ?? []).union([.placement])
    }

    /// The engines of the pool's hosts.
    public var engines: [DockerEngine] { hosts.map(\.engine) }

    static let hostKey = "host"
    static let hostEndpointKey = "host.endpoint"

    /// The engine of the host an environment (or snapshot) was placed on.
    func engine(_ details: [String: String], of what: String) throws -> DockerEngine {
        guard let name = details[Self.hostKey] else {
            throw IsolationError(.notFound, "\(what) has no host recorded; it was made without the pool")
        }
        guard let engine = hosts.first(where: { $0.host.name == name })?.engine else {
            throw IsolationError(
                .engineUnavailable, "\(what) is on host '\(name)', which the engine settings no longer list; add it back to docker.hosts")
        }
        return engine
    }

    func onDocker<T>(_ environment: Environment, _ body: (DockerEngine) async throws -> T) async throws -> T {
        try await body(try engine(environment.details, of: "environment \(environment.id)"))
    }

    public func unavailableReason() async -> String? {
        let down: [String] = await withTaskGroup(of: String?.self) { group in
            for (host, engine) in hosts { group.addTask { await engine.unavailableReason().map { "\(host.name): \($0)" } } }
            return await group.reduce(into: []) { if let reason = $1 { $0.append(reason) } }
        }
        return down.count == hosts.count ? "no host of the pool answers: " + down.sorted().joined(separator: "; ") : nil
    }

    public func create(_ environment: Environment) async throws -> EngineArtifact {
        let placement = try await place(environment.spec)
        var artifact = try await placement.engine.create(environment)
        artifact.details[Self.hostKey] = placement.host.name
        artifact.details[Self.hostEndpointKey] = placement.host.address
        artifact.details["placement"] = placement.reason
        return artifact
    }

    public func install(_ environment: Environment, _ request: PackageRequest) async throws -> CommandResult {
        try await onDocker(environment) { try await $0.install(environment, request) }
    }

    public func installedPackages(_ environment: Environment) async throws -> [InstalledPackage] {
        try await onDocker(environment) { try await $0.installedPackages(environment) }
    }

    public func uninstall(_ environment: Environment, _ names: [String]) async throws -> CommandResult {
        try await onDocker(environment) { try await $0.uninstall(environment, names) }
    }

    /// A snapshot stays on its environment's host, which its details name, and is restored there.
    public func snapshot(_ environment: Environment, as snapshot: Snapshot) async throws -> EngineArtifact {
        var artifact = try await onDocker(environment) { try await $0.snapshot(environment, as: snapshot) }
        artifact.details[Self.hostKey] = environment.details[Self.hostKey]
        return artifact
    }

    public func restore(_ snapshot: Snapshot, into environment: Environment) async throws -> EngineArtifact {
        let engine = try engine(snapshot.details, of: "snapshot \(snapshot.name)")
        var artifact = try await engine.restore(snapshot, into: environment)
        artifact.details[Self.hostKey] = snapshot.details[Self.hostKey]
        artifact.details[Self.hostEndpointKey] = hosts.first { $0.host.name == snapshot.details[Self.hostKey] }?.host.address
        return artifact
    }

    public func deleteSnapshot(_ snapshot: Snapshot) async throws {
        try await engine(snapshot.details, of: "snapshot \(snapshot.name)").deleteSnapshot(snapshot)
    }

    public func exportSnapshot(_ snapshot: Snapshot, to file: URL) async throws {
        try await engine(snapshot.details, of: "snapshot \(snapshot.name)").exportSnapshot(snapshot, to: file)
    }

    /// An imported snapshot goes to the host placement picks for a plain spec.
    public func importSnapshot(from file: URL, as snapshot: Snapshot) async throws -> EngineArtifact {
        let placement = try await place(EnvironmentSpec())
        var artifact = try await placement.engine.importSnapshot(from: file, as: snapshot)
        artifact.details[Self.hostKey] = placement.host.name
        return artifact
    }

    /// An environment whose creation failed before a host took it has no host recorded: every
    /// host removes what carries its labels (nothing, unless the creation died half-way).
    public func destroy(_ environment: Environment) async throws {
        guard environment.details[Self.hostKey] == nil else {
            return try await onDocker(environment) { try await $0.destroy(environment) }
        }
        for engine in engines { try? await engine.destroy(environment) }
    }

    public func reuseProblem(_ environment: Environment) async throws -> String? {
        try await onDocker(environment) { try await $0.reuseProblem(environment) }
    }

    /// Every host's leftovers; a host that does not answer is in `skipped`, named.
    public func sweep(_ request: SweepRequest) async -> CleanupReport {
        var report = CleanupReport()
        for (host, engine) in hosts {
            var part = await engine.sweep(request)
            part.skipped = part.skipped.map { "host \(host.name): \($0)" }
            report.merge(part)
        }
        return report
    }
}

extension DockerHostPool: ControllableEngine, InteractiveEngine {
    public func stop(_ environment: Environment) async throws { try await onDocker(environment) { try await $0.stop(environment) } }
    public func start(_ environment: Environment) async throws { try await onDocker(environment) { try await $0.start(environment) } }
    public func restart(_ environment: Environment) async throws { try await onDocker(environment) { try await $0.restart(environment) } }
    public func pause(_ environment: Environment) async throws { try await onDocker(environment) { try await $0.pause(environment) } }
    public func unpause(_ environment: Environment) async throws { try await onDocker(environment) { try await $0.unpause(environment) } }

    public func interactive(
        _ environment: Environment, _ command: Command, size: TerminalSize, attached: @escaping @Sendable (any InteractiveTerminal) -> Void,
        output: @escaping @Sendable (Data) async throws -> Void
    ) async throws -> Int32 {
        try await onDocker(environment) { try await $0.interactive(environment, command, size: size, attached: attached, output: output) }
    }

    public func shellCommand(_ environment: Environment) -> [String] {
        ((try? engine(environment.details, of: "")) ?? hosts[0].engine).shellCommand(environment)
    }
}

extension DockerHostPool: JobRunner {
    /// A job's attempts all run on the host placement picks for it when its image is resolved.
    func resolveJobImage(_ job: Environment, subject: String, timeout: Duration) async throws -> DockerEngine.ResolvedImage {
        let placement = try await place(job.spec)
        jobHosts.withLock { $0[job.id] = placement.engine }
        return try await placement.engine.resolveJobImage(job, subject: subject, timeout: timeout)
    }

    private func jobEngine(_ job: Environment) throws -> DockerEngine {
        guard let engine = jobHosts.withLock({ $0[job.id] }) else { throw IsolationError(.notFound, "job \(job.id) has no host") }
        return engine
    }

    func runJobAttempt(_ job: Environment, image: String, name: String, deadline: ContinuousClock.Instant) async throws
        -> DockerEngine.JobAttempt
    {
        try await jobEngine(job).runJobAttempt(job, image: image, name: name, deadline: deadline)
    }

    func removeJob(_ job: Environment, container: String?, volumes: Bool) async throws {
        try await jobEngine(job).removeJob(job, container: container, volumes: volumes)
        if volumes { _ = jobHosts.withLock { $0.removeValue(forKey: job.id) } }
    }
}
