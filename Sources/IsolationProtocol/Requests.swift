package import Foundation
package import IsolationCore

/// The config of `ptest_iso_open`.
package struct OpenRequest: ABIRequest {
    package var home: String?
    package var session: String?
    package var maxLiveEnvironments: Int?
    package var defaultTtlSeconds: Double?
    package var templateCacheBytes: Int64?
    /// The Docker image cache's size budget.
    package var imageCacheBytes: Int64?
    /// The `ptest-iso` binary that reaps the session; `""` for none. Absent: `PTEST_ISO_REAPER`,
    /// else the `ptest-iso` beside this library (where the wheel ships it).
    package var reaperExecutable: String?
    package var reaperGraceSeconds: Double?
    package var dockerStandbyDepth: Int?
    /// Copies of a restored snapshot kept restored ahead of need.
    package var restoreAheadDepth: Int?
    /// The engine settings file (JSON or YAML); absent: `PTEST_ISO_ENGINES`, else `engines.json` in the home.
    package var enginesFile: String?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case home, session, maxLiveEnvironments, defaultTtlSeconds, templateCacheBytes, imageCacheBytes, reaperExecutable
        case reaperGraceSeconds, dockerStandbyDepth, restoreAheadDepth, enginesFile
    }

    /// - Parameter defaultReaper: the reaper when neither the config nor `PTEST_ISO_REAPER` names
    ///   one (the C ABI: the `ptest-iso` beside its library).
    package func managerConfiguration(defaultReaper: @autoclosure () -> URL?) throws -> IsolationManager.Configuration {
        var configuration = IsolationManager.Configuration(home: home.map { URL(fileURLWithPath: $0) }, session: session)
        if let maxLiveEnvironments { configuration.maxLiveEnvironments = maxLiveEnvironments }
        if let defaultTtlSeconds { configuration.defaultTTLSeconds = defaultTtlSeconds }
        if let templateCacheBytes { configuration.templateCacheBytes = templateCacheBytes }
        if let imageCacheBytes { configuration.imageCacheBytes = imageCacheBytes }
        if let reaperGraceSeconds { configuration.reaperGraceSeconds = reaperGraceSeconds }
        if let dockerStandbyDepth { configuration.dockerStandbyDepth = dockerStandbyDepth }
        if let restoreAheadDepth { configuration.restoreAheadDepth = restoreAheadDepth }
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
                configuration.reaperExecutable = defaultReaper()
            }
        }
        return configuration
    }
}

package struct IDRequest: ABIRequest {
    package var id: String
    package var timeoutSeconds: Double?
    /// `destroy` only: return at once and remove in the background.
    package var background: Bool?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case id, timeoutSeconds, background
    }
}

package struct CreateRequest: ABIRequest {
    package var spec: EnvironmentSpec?
    package var timeoutSeconds: Double?
    /// The test making the environment (a pytest node id), recorded as its `ptest-iso.test` label.
    package var testId: String?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case spec, timeoutSeconds, testId
    }
}

package struct ListRequest: ABIRequest {
    package var engine: EngineKind?
    package var statuses: [EnvironmentStatus]?
    package var session: String?
    package var labels: [String: String]?
    package var liveOnly: Bool?

    package var filter: EnvironmentFilter {
        EnvironmentFilter(engine: engine, statuses: statuses, session: session, labels: labels ?? [:], liveOnly: liveOnly ?? true)
    }

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case engine, statuses, session, labels, liveOnly
    }
}

package struct RunRequest: ABIRequest {
    package var id: String
    package var argv: [String]
    package var environment: [String: String]?
    package var workingDirectory: String?
    package var timeoutSeconds: Double?
    /// Text written to stdin, then closed.
    package var stdin: String?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case id, argv, environment, workingDirectory, timeoutSeconds, stdin
    }
}

package struct UninstallRequest: ABIRequest {
    package var id: String
    package var names: [String]

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case id, names
    }
}

package struct CopyRequest: ABIRequest {
    package var id: String
    package var source: String
    package var destination: String?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case id, source, destination
    }
}

package struct SessionRequest: ABIRequest {
    package var session: String?
    package var timeoutSeconds: Double?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case session, timeoutSeconds
    }
}

package struct SnapshotRequest: ABIRequest {
    package var id: String
    package var name: String?
    /// Deleted with the session (by its reaper when the process dies first).
    package var temporary: Bool?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case id, name, temporary
    }
}

package struct SnapshotRefRequest: ABIRequest {
    package var snapshot: String
    package var path: String?
    package var timeoutSeconds: Double?
    /// `restore` only: as for `create`.
    package var testId: String?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case snapshot, path, timeoutSeconds, testId
    }
}

package struct ImportRequest: ABIRequest {
    package var path: String
    package var name: String?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case path, name
    }
}

/// `migrate`: a virtualenv environment to a new Docker environment of `image`.
package struct MigrateRequest: ABIRequest {
    package var id: String
    package var image: String
    package var timeoutSeconds: Double?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case id, image, timeoutSeconds
    }
}

/// `run_job`: the job under `spec`, as `create` takes an environment's.
package struct JobRequest: ABIRequest {
    package var spec: JobSpec

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case spec
    }
}

package struct CollectRequest: ABIRequest {
    package var maxBytes: Int64?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case maxBytes
    }
}

/// The methods that take no arguments: any field given to them is unknown.
package struct EmptyRequest: ABIRequest {
    package enum CodingKeys: String, CodingKey, CaseIterable {
        // No field can be named this: every key the decoder hands over is printable.
        case nothing = "\u{0}"
    }

    package init(from decoder: any Decoder) throws {}
}

/// `stop_standbys`: no standby beyond what the next `after` environments take (absent: 0, none).
package struct StopStandbysRequest: ABIRequest {
    package var after: Int?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case after
    }
}

/// `logs`: the last `tail` lines when set.
package struct LogsRequest: ABIRequest {
    package var id: String
    package var tail: Int?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case id, tail
    }
}

/// `remove`: what `ptest-iso rm` does; `force` takes any status, and a destroyed one is no error.
package struct RemoveRequest: ABIRequest {
    package var id: String
    package var force: Bool?
    package var timeoutSeconds: Double?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case id, force, timeoutSeconds
    }
}

/// `cleanup`: what `ptest-iso cleanup` does, by `scope` (`session` with `session`, `expired`, `everything`).
package struct CleanupRequest: ABIRequest {
    package var scope: String
    package var session: String?
    package var dryRun: Bool?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case scope, session, dryRun
    }

    package func cleanupScope() throws -> CleanupScope {
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
package struct InstallRequest: ABIRequest {
    package var id: String
    package var timeoutSeconds: Double?
    package var requirements: [String]?
    package var requirementFiles: [String]?
    package var constraintFiles: [String]?
    package var indexUrl: String?
    package var findLinks: [String]?
    package var offline: Bool?

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case id, timeoutSeconds, requirements, requirementFiles, constraintFiles, indexUrl, findLinks, offline
    }

    package var packages: PackageRequest {
        PackageRequest(
            requirements: requirements ?? [], requirementFiles: requirementFiles ?? [], constraintFiles: constraintFiles ?? [],
            indexURL: indexUrl, findLinks: findLinks ?? [], offline: offline ?? false)
    }
}

/// A request's timeout, checked as every front checks it (``SchemaLimits/timeout(_:field:)``).
package func duration(_ seconds: Double?) throws -> Duration? {
    try SchemaLimits.timeout(seconds)
}

/// `cancel`: stops the streamed call made with this `call_id`.
package struct CancelRequest: ABIRequest {
    package var callId: String

    package enum CodingKeys: String, CodingKey, CaseIterable {
        case callId
    }
}
