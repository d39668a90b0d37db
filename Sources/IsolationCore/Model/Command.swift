public import Foundation

/// A command to run in an environment.
public struct Command: Codable, Sendable, Hashable {
    public var argv: [String]
    /// Added to (and overriding) the environment's variables.
    public var environment: [String: String]
    /// Relative paths are resolved against the environment's working directory.
    public var workingDirectory: String?
    /// Kill the command (and every process it started) after this many seconds.
    public var timeoutSeconds: Double?
    /// Bytes written to the command's stdin, which is then closed.
    public var stdin: Data?

    public init(
        _ argv: [String], environment: [String: String] = [:], workingDirectory: String? = nil,
        timeoutSeconds: Double? = nil, stdin: Data? = nil
    ) {
        self.argv = argv
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.timeoutSeconds = timeoutSeconds
        self.stdin = stdin
    }
}

/// What a finished command left behind. A non-zero exit code is a result, not an error.
public struct CommandResult: Codable, Sendable, Hashable {
    public var exitCode: Int32
    public var stdout: Data
    public var stderr: Data
    public var durationSeconds: Double
    /// The command hit its timeout and was killed with its process group.
    public var timedOut: Bool

    public init(exitCode: Int32, stdout: Data, stderr: Data, durationSeconds: Double, timedOut: Bool) {
        self.exitCode = exitCode
        self.stdout = stdout
        self.stderr = stderr
        self.durationSeconds = durationSeconds
        self.timedOut = timedOut
    }

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    /// The result with its streams as text (UTF-8, invalid bytes replaced): what the CLI's and
    /// the C ABI's JSON carry.
    public var text: Text { Text(self) }

    public struct Text: Encodable, Sendable, Hashable {
        public var exitCode: Int32
        public var stdout: String
        public var stderr: String
        public var durationSeconds: Double
        public var timedOut: Bool

        init(_ result: CommandResult) {
            exitCode = result.exitCode
            stdout = result.stdoutText
            stderr = result.stderrText
            durationSeconds = result.durationSeconds
            timedOut = result.timedOut
        }
    }
}

/// Packages to install into an environment.
public struct PackageRequest: Codable, Sendable, Hashable {
    public var requirements: [String]
    public var requirementFiles: [String]
    public var constraintFiles: [String]
    public var indexURL: String?
    public var findLinks: [String]
    public var offline: Bool

    public init(
        requirements: [String] = [], requirementFiles: [String] = [], constraintFiles: [String] = [],
        indexURL: String? = nil, findLinks: [String] = [], offline: Bool = false
    ) {
        self.requirements = requirements
        self.requirementFiles = requirementFiles
        self.constraintFiles = constraintFiles
        self.indexURL = indexURL
        self.findLinks = findLinks
        self.offline = offline
    }

    public var isEmpty: Bool { requirements.isEmpty && requirementFiles.isEmpty }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case requirements, requirementFiles, constraintFiles, findLinks, offline
        case indexURL = "indexUrl"
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        try c.decode(.requirements, into: &requirements)
        try c.decode(.requirementFiles, into: &requirementFiles)
        try c.decode(.constraintFiles, into: &constraintFiles)
        try c.decode(.indexURL, into: &indexURL)
        try c.decode(.findLinks, into: &findLinks)
        try c.decode(.offline, into: &offline)
    }
}

extension PackageRequest {
    /// The packages a spec asks for at creation.
    public init(_ spec: EnvironmentSpec) {
        self.init(
            requirements: spec.requirements, requirementFiles: spec.requirementFiles,
            constraintFiles: spec.constraintFiles, indexURL: spec.indexURL, findLinks: spec.findLinks,
            offline: spec.offline
        )
    }
}

/// One installed distribution.
public struct InstalledPackage: Codable, Sendable, Hashable {
    public var name: String
    public var version: String

    public init(name: String, version: String) {
        self.name = name
        self.version = version
    }
}
