import Foundation

/// A one-off container run to completion: an image (or a build), a command, and the
/// container fields of ``EnvironmentSpec`` that make sense for it, plus retries with
/// exponential backoff, an overall deadline and how long the finished container stays.
public struct JobSpec: Codable, Sendable, Hashable {
    public var name: String?
    public var image: String?
    public var build: BuildSpec?
    /// The program and its arguments (after the image's entrypoint, unless ``entrypoint`` replaces it).
    public var command: [String]
    public var entrypoint: [String]?
    public var environment: [String: String]
    /// `nil` keeps the image's working directory.
    public var workdir: String?
    public var user: String?
    public var resources: ResourceLimits?
    /// `none` (the default: no network at all), or an existing network such as `bridge`.
    public var network: String?
    /// Named volumes live as long as the job (so every attempt sees the same ones); bind mounts as given.
    public var volumes: [VolumeMount]
    public var tmpfs: [TmpfsMount]
    public var labels: [String: String]
    /// As ``EnvironmentSpec/readOnlyRoot``: a root filesystem the job cannot write (tmpfs and volumes stay writable).
    public var readOnlyRoot: Bool
    /// Capabilities added to, and dropped from, Docker's default set.
    public var capAdd: [String]
    public var capDrop: [String]
    /// Every capability and device: only when asked, as for environments.
    public var privileged: Bool
    /// Secrets as variables only: a file secret is written after its container starts, and a job's
    /// command runs at once (give a file to an environment, or read the variable).
    public var secrets: [Secret]
    /// How many times a non-zero exit is retried.
    public var retries: Int
    /// The wait before the first retry; each further retry waits twice as long as the one before.
    public var backoffSeconds: Double
    /// The whole job's limit (build, attempts and backoff): past it the container is killed and removed,
    /// and the job fails with a timeout. `nil` is 24 hours.
    public var deadlineSeconds: Double?
    /// How long the finished container is kept for inspection: `0` removes it at once; otherwise
    /// it is labelled to expire, and `ptest-iso cleanup --expired` or the session's reaper removes it.
    public var ttlSeconds: Double

    public init(
        name: String? = nil, image: String? = nil, build: BuildSpec? = nil, command: [String], entrypoint: [String]? = nil,
        environment: [String: String] = [:], workdir: String? = nil, user: String? = nil, resources: ResourceLimits? = nil,
        network: String? = nil, volumes: [VolumeMount] = [], tmpfs: [TmpfsMount] = [], labels: [String: String] = [:],
        readOnlyRoot: Bool = false, capAdd: [String] = [], capDrop: [String] = [], privileged: Bool = false, secrets: [Secret] = [],
        retries: Int = 0, backoffSeconds: Double = 1, deadlineSeconds: Double? = nil, ttlSeconds: Double = 0
    ) {
        self.name = name
        self.image = image
        self.build = build
        self.command = command
        self.entrypoint = entrypoint
        self.environment = environment
        self.workdir = workdir
        self.user = user
        self.resources = resources
        self.network = network
        self.volumes = volumes
        self.tmpfs = tmpfs
        self.labels = labels
        self.readOnlyRoot = readOnlyRoot
        self.capAdd = capAdd
        self.capDrop = capDrop
        self.privileged = privileged
        self.secrets = secrets
        self.retries = retries
        self.backoffSeconds = backoffSeconds
        self.deadlineSeconds = deadlineSeconds
        self.ttlSeconds = ttlSeconds
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, image, build, command, entrypoint, environment, workdir, user, resources, network, volumes, tmpfs, labels
        case readOnlyRoot, capAdd, capDrop, privileged, secrets
        case retries, backoffSeconds, deadlineSeconds, ttlSeconds
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(command: try c.decode([String].self, forKey: .command))
        try c.decode(.name, into: &name)
        try c.decode(.image, into: &image)
        try c.decode(.build, into: &build)
        try c.decode(.entrypoint, into: &entrypoint)
        try c.decode(.environment, into: &environment)
        try c.decode(.workdir, into: &workdir)
        try c.decode(.user, into: &user)
        try c.decode(.resources, into: &resources)
        try c.decode(.network, into: &network)
        try c.decode(.volumes, into: &volumes)
        try c.decode(.tmpfs, into: &tmpfs)
        try c.decode(.labels, into: &labels)
        try c.decode(.readOnlyRoot, into: &readOnlyRoot)
        try c.decode(.capAdd, into: &capAdd)
        try c.decode(.capDrop, into: &capDrop)
        try c.decode(.privileged, into: &privileged)
        try c.decode(.secrets, into: &secrets)
        try c.decode(.retries, into: &retries)
        try c.decode(.backoffSeconds, into: &backoffSeconds)
        try c.decode(.deadlineSeconds, into: &deadlineSeconds)
        try c.decode(.ttlSeconds, into: &ttlSeconds)
    }

    /// The container fields as an environment spec, so the engine and the checks are shared.
    var containerSpec: EnvironmentSpec {
        EnvironmentSpec(
            engine: .docker, name: name, environment: environment, labels: labels, image: image, resources: resources,
            network: network, command: command, entrypoint: entrypoint, workdir: workdir, user: user, readOnlyRoot: readOnlyRoot,
            tmpfs: tmpfs, capAdd: capAdd, capDrop: capDrop, privileged: privileged, volumes: volumes, secrets: secrets, build: build)
    }

    /// The longest a job may take when ``deadlineSeconds`` is not set.
    static let defaultDeadlineSeconds: Double = 24 * 3600
    static let maxDeadlineSeconds: Double = 30 * 24 * 3600
    static let maxTTLSeconds: Double = 365 * 24 * 3600

    /// Checks the container fields as ``EnvironmentSpec/validate()`` does, and the job's own.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the field and the fix.
    public func validate() throws {
        if command.first?.isEmpty ?? true {
            throw IsolationError(.invalidSpec, field: "command", "empty; give the program the job runs and its arguments")
        }
        if image == nil, build == nil {
            throw IsolationError(
                .invalidSpec, field: "image", "a job needs an image, e.g. \"python:3.12-slim\", or build: {\"context\": \"/abs/dir\"}")
        }
        if network == "isolated" {
            throw IsolationError(.invalidSpec, field: "network", "a job joins no network (\"none\") or an existing one such as \"bridge\"")
        }
        if let index = secrets.firstIndex(where: { $0.delivery == .file }) {
            throw IsolationError(
                .invalidSpec, field: "secrets[\(index)]",
                "a job takes secrets as variables (\"as\": \"env\"); a file secret needs an environment, whose container is running when it is written"
            )
        }
        try containerSpec.validate()
        guard (0...100).contains(retries) else {
            throw IsolationError(.invalidSpec, field: "retries", "\(retries) must be between 0 and 100")
        }
        try SchemaLimits.checkSeconds(backoffSeconds, "backoff_seconds", max: SchemaLimits.maxTimeoutSeconds, zeroAllowed: true)
        // Bounded so every later conversion to whole milliseconds or seconds fits an integer.
        if let deadlineSeconds, !(deadlineSeconds > 0 && deadlineSeconds <= Self.maxDeadlineSeconds) {
            throw IsolationError(
                .invalidSpec, field: "deadline_seconds", "\(deadlineSeconds) must be a positive number of seconds, at most 30 days")
        }
        guard ttlSeconds >= 0, ttlSeconds <= Self.maxTTLSeconds else {
            throw IsolationError(
                .invalidSpec, field: "ttl_seconds", "\(ttlSeconds) must be zero (remove at once) or more seconds, at most 365 days")
        }
    }
}
