import Foundation
import IsolationCore

/// The config of `ptest_iso_open`.
struct OpenRequest: Decodable {
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

    func managerConfiguration() throws -> IsolationManager.Configuration {
        if let maxLiveEnvironments, maxLiveEnvironments < 1 {
            throw ABIError.invalidArgument("config.max_live_environments: \(maxLiveEnvironments) must be at least 1")
        }
        if let defaultTtlSeconds, !(defaultTtlSeconds > 0) {
            throw ABIError.invalidArgument("config.default_ttl_seconds: \(defaultTtlSeconds) must be a positive number of seconds")
        }
        var configuration = IsolationManager.Configuration(home: home.map { URL(fileURLWithPath: $0) }, session: session)
        if let maxLiveEnvironments { configuration.maxLiveEnvironments = maxLiveEnvironments }
        if let defaultTtlSeconds { configuration.defaultTTLSeconds = defaultTtlSeconds }
        if let templateCacheBytes { configuration.templateCacheBytes = templateCacheBytes }
        if let imageCacheBytes {
            guard imageCacheBytes >= 0 else {
                throw ABIError.invalidArgument("config.image_cache_bytes: \(imageCacheBytes) must be zero or more bytes")
            }
            configuration.imageCacheBytes = imageCacheBytes
        }
        if let reaperGraceSeconds {
            guard (0...86_400).contains(reaperGraceSeconds) else {
                throw ABIError.invalidArgument("config.reaper_grace_seconds: \(reaperGraceSeconds) must be 0 to 86400 seconds")
            }
            configuration.reaperGraceSeconds = reaperGraceSeconds
        }
        if let dockerStandbyDepth {
            guard (0...8).contains(dockerStandbyDepth) else {
                throw ABIError.invalidArgument("config.docker_standby_depth: \(dockerStandbyDepth) must be 0 (off) to 8")
            }
            configuration.dockerStandbyDepth = dockerStandbyDepth
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

struct IDRequest: Decodable {
    var id: String
    var timeoutSeconds: Double?
    /// `destroy` only: return at once and remove in the background.
    var background: Bool?
}

struct CreateRequest: Decodable {
    var spec: EnvironmentSpec?
    var timeoutSeconds: Double?
    /// The test making the environment (a pytest node id), recorded as its `ptest-iso.test` label.
    var testId: String?
}

struct LogsRequest: Decodable {
    var id: String
    /// Only the last `tail` lines.
    var tail: Int?
}

struct ListRequest: Decodable {
    var engine: EngineKind?
    var statuses: [EnvironmentStatus]?
    var session: String?
    var labels: [String: String]?
    var liveOnly: Bool?

    var filter: EnvironmentFilter {
        EnvironmentFilter(engine: engine, statuses: statuses, session: session, labels: labels ?? [:], liveOnly: liveOnly ?? true)
    }
}

struct RunRequest: Decodable {
    var id: String
    var argv: [String]
    var environment: [String: String]?
    var workingDirectory: String?
    var timeoutSeconds: Double?
    /// Text written to stdin, then closed.
    var stdin: String?
}

struct UninstallRequest: Decodable {
    var id: String
    var names: [String]
}

struct CopyRequest: Decodable {
    var id: String
    var source: String
    var destination: String?
}

struct SessionRequest: Decodable {
    var session: String?
    var timeoutSeconds: Double?
}

struct SnapshotRequest: Decodable {
    var id: String
    var name: String?
    /// Deleted with the session (by its reaper when the process dies first).
    var temporary: Bool?
}

struct SnapshotRefRequest: Decodable {
    var snapshot: String
    var path: String?
    var timeoutSeconds: Double?
    /// `restore` only: as for `create`.
    var testId: String?
}

struct ImportRequest: Decodable {
    var path: String
    var name: String?
}

/// `migrate`: a virtualenv environment to a new Docker environment of `image`.
struct MigrateRequest: Decodable {
    var id: String
    var image: String
    var timeoutSeconds: Double?
}

/// `run_job`: the job under `spec`, as `create` takes an environment's.
struct JobRequest: Decodable {
    var spec: JobSpec
}

struct CollectRequest: Decodable {
    var maxBytes: Int64?
}

func duration(_ seconds: Double?) throws -> Duration? {
    guard let seconds else { return nil }
    guard seconds > 0, seconds.isFinite else {
        throw ABIError.invalidArgument("timeout_seconds: \(seconds) must be a positive number of seconds")
    }
    return .milliseconds(Int64(seconds * 1000))
}
