import Foundation
import IsolationCore

/// The config of `ptest_iso_open`.
struct OpenRequest: ABIRequest {
    var home: String?
    var session: String?
    var maxLiveEnvironments: Int?
    var defaultTtlSeconds: Double?
    var templateCacheBytes: Int64?
    /// The Docker image cache's size budget.
    var imageCacheBytes: Int64?
    /// The `ptest-iso` binary that reaps the session; `""` for none. Absent: `PTEST_ISO_REAPER`,
    /// else the `ptest-iso` beside this library (where the wheel ships it).
    var reaperExecutable: String?
    var reaperGraceSeconds: Double?
    var dockerStandbyDepth: Int?
    /// The engine settings file (JSON or YAML); absent: `PTEST_ISO_ENGINES`, else `engines.json` in the home.
    var enginesFile: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case home, session, maxLiveEnvironments, defaultTtlSeconds, templateCacheBytes, imageCacheBytes, reaperExecutable
        case reaperGraceSeconds, dockerStandbyDepth, enginesFile
    }

    func managerConfiguration() throws -> IsolationManager.Configuration {
        var configuration = IsolationManager.Configuration(home: home.map { URL(fileURLWithPath: $0) }, session: session)
        if let maxLiveEnvironments { configuration.maxLiveEnvironments = maxLiveEnvironments }
        if let defaultTtlSeconds { configuration.defaultTTLSeconds = defaultTtlSeconds }
        if let templateCacheBytes { configuration.templateCacheBytes = templateCacheBytes }
        if let imageCacheBytes { configuration.imageCacheBytes = imageCacheBytes }
        if let reaperGraceSeconds { configuration.reaperGraceSeconds = reaperGraceSeconds }
        if let dockerStandbyDepth { configuration.dockerStandbyDepth = dockerStandbyDepth }
        if let enginesFile {
            guard !enginesFile.isEmpty, enginesFile.utf8.count <= 4096 else {
                throw ABIError.invalidArgument("config.engines_file: give the path of an engine settings file (1 to 4096 bytes)")
            }
            configuration.engineSettingsFile = URL(fileURLWithPath: enginesFile)
        }
        // The ranges are the core's (`Configuration.validate()`); named here as the config names them.
        do {
            try configuration.validate()
        } catch let error as IsolationError {
            let field = error.field.map { "config.\($0)" }
            throw ABIError(
                status: -1, code: "invalidArgument", message: field.map { "\($0): \(error.problem)" } ?? error.message,
                details: field.map { ["field": $0] } ?? [:])
        }
        switch reaperExecutable {
        case .some(""): configuration.reaperExecutable = nil
        case .some(let path):
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw ABIError.invalidArgument(
                    "config.reaper_executable: \(path) is not an executable; give the ptest-iso binary or \"\" for none")
            }
            configuration.reaperExecutable = URL(fileURLWithPath: path)
        case nil:
            if ProcessInfo.processInfo.environment["PTEST_ISO_REAPER"] == nil {
                configuration.reaperExecutable = LibraryLocation.siblingReaper()
            }
        }
        return configuration
    }
}

struct IDRequest: ABIRequest {
    var id: String
    var timeoutSeconds: Double?
    /// `destroy` only: return at once and remove in the background.
    var background: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, timeoutSeconds, background
    }
}

struct CreateRequest: ABIRequest {
    var spec: EnvironmentSpec?
    var timeoutSeconds: Double?
    /// The test making the environment (a pytest node id), recorded as its `ptest-iso.test` label.
    var testId: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case spec, timeoutSeconds, testId
    }
}

struct ListRequest: ABIRequest {
    var engine: EngineKind?
    var statuses: [EnvironmentStatus]?
    var session: String?
    var labels: [String: String]?
    var liveOnly: Bool?

    var filter: EnvironmentFilter {
        EnvironmentFilter(engine: engine, statuses: statuses, session: session, labels: labels ?? [:], liveOnly: liveOnly ?? true)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case engine, statuses, session, labels, liveOnly
    }
}

struct RunRequest: ABIRequest {
    var id: String
    var argv: [String]
    var environment: [String: String]?
    var workingDirectory: String?
    var timeoutSeconds: Double?
    /// Text written to stdin, then closed.
    var stdin: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, argv, environment, workingDirectory, timeoutSeconds, stdin
    }
}

struct UninstallRequest: ABIRequest {
    var id: String
    var names: [String]

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, names
    }
}

struct CopyRequest: ABIRequest {
    var id: String
    var source: String
    var destination: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, source, destination
    }
}

struct SessionRequest: ABIRequest {
    var session: String?
    var timeoutSeconds: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case session, timeoutSeconds
    }
}

struct SnapshotRequest: ABIRequest {
    var id: String
    var name: String?
    /// Deleted with the session (by its reaper when the process dies first).
    var temporary: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, temporary
    }
}

struct SnapshotRefRequest: ABIRequest {
    var snapshot: String
    var path: String?
    var timeoutSeconds: Double?
    /// `restore` only: as for `create`.
    var testId: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case snapshot, path, timeoutSeconds, testId
    }
}

struct ImportRequest: ABIRequest {
    var path: String
    var name: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case path, name
    }
}

/// `migrate`: a virtualenv environment to a new Docker environment of `image`.
struct MigrateRequest: ABIRequest {
    var id: String
    var image: String
    var timeoutSeconds: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, image, timeoutSeconds
    }
}

/// `run_job`: the job under `spec`, as `create` takes an environment's.
struct JobRequest: ABIRequest {
    var spec: JobSpec

    enum CodingKeys: String, CodingKey, CaseIterable {
        case spec
    }
}

struct CollectRequest: ABIRequest {
    var maxBytes: Int64?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case maxBytes
    }
}

/// The methods that take no arguments: any field given to them is unknown.
struct EmptyRequest: ABIRequest {
    enum CodingKeys: String, CodingKey, CaseIterable {
        // No field can be named this: every key the decoder hands over is printable.
        case nothing = "\u{0}"
    }

    init(from decoder: any Decoder) throws {}
}

/// `logs`: the last `tail` lines when set.
struct LogsRequest: ABIRequest {
    var id: String
    var tail: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, tail
    }
}

/// `remove`: what `ptest-iso rm` does; `force` takes any status, and a destroyed one is no error.
struct RemoveRequest: ABIRequest {
    var id: String
    var force: Bool?
    var timeoutSeconds: Double?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, force, timeoutSeconds
    }
}

/// `cleanup`: what `ptest-iso cleanup` does, by `scope` (`session` with `session`, `expired`, `everything`).
struct CleanupRequest: ABIRequest {
    var scope: String
    var session: String?
    var dryRun: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case scope, session, dryRun
    }

    func cleanupScope() throws -> CleanupScope {
        switch (scope, session) {
        case ("session", let session?): return .session(session)
        case ("session", nil): throw ABIError.invalidArgument("session: required with scope \"session\"", field: "session")
        case ("expired", nil): return .expired
        case ("everything", nil): return .everything
        case ("expired", _), ("everything", _):
            throw ABIError.invalidArgument("session: only with scope \"session\"", field: "session")
        default:
            throw ABIError.invalidArgument(
                "scope: '\(SchemaJSON.excerpt(scope))' is not one of session, expired, everything", field: "scope")
        }
    }
}

/// `install`: the target and, in the same object, the packages.
struct InstallRequest: ABIRequest {
    var id: String
    var timeoutSeconds: Double?
    var requirements: [String]?
    var requirementFiles: [String]?
    var constraintFiles: [String]?
    var indexUrl: String?
    var findLinks: [String]?
    var offline: Bool?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, timeoutSeconds, requirements, requirementFiles, constraintFiles, indexUrl, findLinks, offline
    }

    var packages: PackageRequest {
        PackageRequest(
            requirements: requirements ?? [], requirementFiles: requirementFiles ?? [], constraintFiles: constraintFiles ?? [],
            indexURL: indexUrl, findLinks: findLinks ?? [], offline: offline ?? false)
    }
}

/// A request's timeout, checked as every front checks it (``SchemaLimits/timeout(_:field:)``).
func duration(_ seconds: Double?) throws -> Duration? {
    try SchemaLimits.timeout(seconds)
}

/// `cancel`: stops the streamed call made with this `call_id`.
struct CancelRequest: ABIRequest {
    var callId: String

    enum CodingKeys: String, CodingKey, CaseIterable {
        case callId
    }
}
