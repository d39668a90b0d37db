public import Foundation

/// An engine that provides environments: `virtualenv`, `docker`, later
/// remote hosts and Kubernetes.
///
/// The manager owns status, state and events; an engine only makes and
/// works on the environment's resources. Engines are called concurrently
/// for different environments.
public protocol IsolationEngine: Sendable {
    var kind: EngineKind { get }
    var capabilities: Set<EngineCapability> { get }
    /// Higher wins when several engines can serve a spec.
    var priority: Int { get }

    /// `nil` when the engine can be used here, otherwise why not (and the fix).
    func unavailableReason() async -> String?

    /// Makes the environment's resources. The environment's id, session,
    /// labels and expiry are set; ``Environment/location`` is empty.
    ///
    /// - Returns: the location and details to record.
    func create(_ environment: Environment) async throws -> EngineArtifact

    /// Runs a command, handing its stdout and stderr to `output` as they come (each in order),
    /// and returns how it ended. The one run of an engine: the whole-output call gathers from it.
    ///
    /// At ``Command/timeoutSeconds`` the command is killed with every process it started and
    /// ``CommandExit/timedOut`` is set. When the calling task is cancelled, or `output` throws
    /// (its reader has gone), the command is killed the same way before this returns.
    ///
    /// - Throws: `invalidSpec` for a working directory that is not one, `cancelled`, what
    ///   `output` throws. A non-zero exit code is a result.
    func run(_ environment: Environment, _ command: Command, output: CommandOutputSink) async throws -> CommandExit

    func install(_ environment: Environment, _ request: PackageRequest) async throws -> CommandResult
    func installedPackages(_ environment: Environment) async throws -> [InstalledPackage]
    func uninstall(_ environment: Environment, _ names: [String]) async throws -> CommandResult

    /// Copies a host file or tree into the environment's working directory (or `destination` under it).
    func copyIn(_ environment: Environment, from source: URL, to destination: String) async throws
    /// Copies a file or tree of the environment's working directory out to a host directory.
    func copyOut(_ environment: Environment, from source: String, to destination: URL) async throws

    func snapshot(_ environment: Environment, as snapshot: Snapshot) async throws -> EngineArtifact
    func restore(_ snapshot: Snapshot, into environment: Environment) async throws -> EngineArtifact
    func deleteSnapshot(_ snapshot: Snapshot) async throws
    /// Writes the snapshot to one archive file, and reads it back under a new id.
    func exportSnapshot(_ snapshot: Snapshot, to file: URL) async throws
    func importSnapshot(from file: URL, as snapshot: Snapshot) async throws -> EngineArtifact

    /// Removes everything the environment made. Removing what is already gone is not an error.
    func destroy(_ environment: Environment) async throws

    /// Why a reused environment (``EnvironmentSpec/reuse``) found in the state database must not
    /// be handed out again — its resources are gone, its process has exited, its image has changed
    /// since — or `nil` when it can be. Not an error: the manager then replaces it.
    ///
    /// - Throws: when the engine cannot tell (its daemon is unreachable).
    func reuseProblem(_ environment: Environment) async throws -> String?

    /// Finds, and unless `request.dryRun` removes, what this engine made that carries
    /// ptest-isolation's labels and that `request.selects` picks, on every host or node it
    /// reaches. Works with the state database gone; what it could not search is in `skipped`.
    func sweep(_ request: SweepRequest) async -> CleanupReport
}

/// Where an engine put something, and what it wants recorded about it.
public struct EngineArtifact: Sendable, Hashable {
    public var location: String
    public var details: [String: String]

    public init(location: String, details: [String: String] = [:]) {
        self.location = location
        self.details = details
    }
}

extension IsolationEngine {
    /// No engine-specific check: the record is trusted.
    public func reuseProblem(_ environment: Environment) async throws -> String? { nil }

    /// Nothing outside the records and the state directory: nothing to sweep.
    public func sweep(_ request: SweepRequest) async -> CleanupReport { CleanupReport() }

    /// A run's whole output, gathered as it comes: the fold of
    /// ``run(_:_:output:)`` behind the manager's ``IsolationManager/run(_:_:timeout:)`` and the
    /// engines' own commands (pip, probes).
    func run(_ environment: Environment, _ command: Command) async throws -> CommandResult {
        let gathered = CommandOutputGatherer()
        return gathered.result(try await run(environment, command, output: gathered.sink))
    }

    func unsupported(_ capability: EngineCapability) -> IsolationError {
        IsolationError(.engineUnavailable, "the \(kind) engine does not support \(capability.rawValue)")
    }
}
