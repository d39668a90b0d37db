public import Foundation

extension IsolationManager {
    /// An environment that may take commands (ready or running); `id` may name one service of a
    /// compose stack (``addressed(_:)``).
    func usable(_ id: String) async throws -> (Environment, any IsolationEngine) {
        let environment = try await addressed(id)
        guard environment.status == .ready || environment.status == .running else {
            throw IsolationError(
                .illegalTransition,
                "environment \(id) is \(environment.status.rawValue); commands run only in a ready or running environment")
        }
        return (environment, try engine(for: environment))
    }

    /// Runs a command and returns its whole output. A non-zero exit code is a result, not an error.
    ///
    /// The fold of ``runStreaming(_:_:timeout:_:)``: the engine's one streaming run, with the
    /// output gathered as it comes.
    ///
    /// - Throws: `invalidSpec` naming the field of a malformed command (``Command/validate()``).
    public func run(_ id: String, _ command: Command, timeout: Duration? = nil) async throws -> CommandResult {
        try command.validate()
        let (environment, engine) = try await usable(id)
        return try await bounded(timeout, "running \(command.argv.first ?? "") in \(id)") { try await engine.run(environment, command) }
    }

    /// Installs packages; the installer's output is returned, and in the error on failure.
    @discardableResult
    public func install(_ id: String, _ request: PackageRequest, timeout: Duration? = nil) async throws -> CommandResult {
        let (environment, engine) = try await usable(id)
        guard engine.capabilities.contains(.packages) else { throw engine.unsupported(.packages) }
        broadcaster.emit(.progress, environment: id, detail: InstallerOutput.announcement(request))
        let started = ContinuousClock.now
        let result = try await bounded(timeout, "installing into \(id)") { try await engine.install(environment, request) }
        broadcaster.emit(.progress, environment: id, detail: InstallerOutput.summary(result, took: ContinuousClock.now - started))
        broadcaster.emit(.packageInstalled, environment: id, detail: request.requirements.joined(separator: " "))
        return result
    }

    public func packages(_ id: String, timeout: Duration? = nil) async throws -> [InstalledPackage] {
        let (environment, engine) = try await usable(id)
        return try await bounded(timeout, "listing packages of \(id)") { try await engine.installedPackages(environment) }
    }

    @discardableResult
    public func uninstall(_ id: String, _ names: [String], timeout: Duration? = nil) async throws -> CommandResult {
        let (environment, engine) = try await usable(id)
        let result = try await bounded(timeout, "uninstalling from \(id)") { try await engine.uninstall(environment, names) }
        broadcaster.emit(.packageRemoved, environment: id, detail: names.joined(separator: " "))
        return result
    }

    /// Copies a host file or tree into the environment's working directory (under `destination`).
    public func copyIn(_ id: String, from source: URL, to destination: String = ".", timeout: Duration? = nil) async throws {
        let (environment, engine) = try await usable(id)
        try await bounded(timeout, "copying into \(id)") { try await engine.copyIn(environment, from: source, to: destination) }
    }

    /// Copies a file or tree of the environment's working directory into a host directory.
    public func copyOut(_ id: String, from source: String, to destination: URL, timeout: Duration? = nil) async throws {
        let (environment, engine) = try await usable(id)
        try await bounded(timeout, "copying out of \(id)") { try await engine.copyOut(environment, from: source, to: destination) }
    }
}

/// A template of the virtualenv engine's cache.
public struct TemplateInfo: Codable, Sendable, Hashable {
    public var key: String
    public var pythonVersion: String
    public var requirements: [String]
    public var sizeBytes: Int64
    public var lastUsedAt: Date
}

extension IsolationManager {
    var virtualenvEngine: VirtualenvEngine? {
        registry.engine(.virtualenv) as? VirtualenvEngine
    }

    /// The virtualenv templates, least recently used first.
    public func templates() -> [TemplateInfo] {
        (virtualenvEngine?.templates.entries() ?? [])
            .sorted { $0.lastUsedAt < $1.lastUsedAt }
            .map {
                TemplateInfo(
                    key: $0.key, pythonVersion: $0.pythonVersion, requirements: $0.requirements, sizeBytes: $0.sizeBytes,
                    lastUsedAt: $0.lastUsedAt)
            }
    }

    /// Evicts least recently used templates until the cache fits `maxBytes`
    /// (default: its configured bound); returns the evicted keys.
    @discardableResult
    public func collectTemplates(maxBytes: Int64? = nil) throws -> [String] {
        try virtualenvEngine?.templates.evict(limit: maxBytes) ?? []
    }
}
