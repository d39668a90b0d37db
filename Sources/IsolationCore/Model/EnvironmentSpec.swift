import Foundation

/// What an environment should be. Every field has a default, so a JSON
/// spec names only what it needs: `{}` is a plain virtualenv.
public struct EnvironmentSpec: Codable, Sendable, Hashable {
    /// Force an engine; `nil` lets the manager pick from the other fields.
    public var engine: EngineKind?
    /// A human-readable name, shown by the CLI.
    public var name: String?
    /// The interpreter: a path, a version (`3.11`, `3.11.7`) or a range (`>=3.10`, `>=3.10,<3.13`).
    public var python: String?
    /// Requirement strings (`requests==2.32.0`, `./pkg`, `-e ./pkg` are passed to the installer as given).
    public var requirements: [String]
    /// Requirement files (`-r`).
    public var requirementFiles: [String]
    /// Constraint files (`-c`).
    public var constraintFiles: [String]
    /// A package index to use instead of the default one.
    public var indexURL: String?
    /// Directories of wheels to install from (`--find-links`).
    public var findLinks: [String]
    /// Never reach a package index: install only from ``findLinks``.
    public var offline: Bool
    /// Put pip into the environment.
    public var withPip: Bool
    /// Variables set for every command run in the environment.
    public var environment: [String: String]
    public var labels: [String: String]
    /// Seconds the environment may live; `nil` uses the manager's default.
    public var ttlSeconds: Double?
    public var cleanup: CleanupPolicy
    /// Clone from a cached template with the same interpreter, requirements and options.
    public var useTemplateCache: Bool
    /// A container image: only the Docker engine provides this.
    public var image: String?
    /// An image built from a context directory instead of ``image`` (exactly one of them). Docker only.
    public var build: BuildSpec?
    /// Resource limits: only the Docker engine enforces these.
    public var resources: ResourceLimits?
    /// `none`, `isolated` or a shared network name: only the Docker engine provides this.
    public var network: String?
    /// Container ports to publish on random loopback ports of the host (reported in the
    /// environment's details as `port.<container port>`): only the Docker engine provides this.
    public var ports: [Int]
    /// `service` runs the image's own process, `sandbox` keeps the container idle for exec;
    /// `nil` picks by the other fields (``effectiveMode``). Docker only.
    public var mode: DockerMode?
    /// The container's command, in either ``mode``; `nil` leaves it to the mode. Docker only.
    public var command: [String]?
    /// Replaces the image's entrypoint. Docker only.
    public var entrypoint: [String]?
    /// The working directory inside the container, where files are copied; `nil` is `/work`. Docker only.
    public var workdir: String?
    /// `name`, `uid`, `uid:gid` or `name:group` to run the container and its commands as. Docker only.
    public var user: String?
    /// Mount the image read-only; the working directory then is a volume of the environment. Docker only.
    public var readOnlyRoot: Bool
    /// tmpfs mounts. Docker only.
    public var tmpfs: [TmpfsMount]
    /// Linux capabilities to add to, or drop from, Docker's default set (`NET_ADMIN`, `ALL`). Docker only.
    public var capAdd: [String]
    public var capDrop: [String]
    /// Full access to the host's devices: only when a test truly needs it. Docker only.
    public var privileged: Bool
    /// Named volumes (created and removed with the environment) and bind mounts. Docker only.
    public var volumes: [VolumeMount]
    /// Secret values, as variables or files; never stored. Docker only.
    public var secrets: [Secret]
    /// Conditions that must all hold before `create` returns. Docker only.
    public var waitFor: [WaitStrategy]
    /// Placement constraints on a cluster's nodes, as Swarm writes them (`node.labels.disk==ssd`,
    /// `node.role==worker`). Swarm only.
    public var placement: [String] = []
    /// How long ``waitFor`` may take; `nil` is 60 seconds.
    public var readyTimeoutSeconds: Double?
    /// A healthcheck for the container (what a Dockerfile's `HEALTHCHECK` sets). Docker only.
    public var healthcheck: HealthcheckSpec?
    /// Share one environment of this spec across runs instead of making one per run: a live
    /// environment with the same ``reuseKey(engine:)`` is handed out again (its TTL renewed),
    /// else one is made that lives until its TTL (`after-ttl`) in no test session. See
    /// docs/decisions/0007-reuse.md.
    public var reuse: Bool
    /// One environment of this spec per test session: the session's processes (pytest-xdist
    /// workers) that ask for it get the same one, made by whichever asks first; it belongs to
    /// the session and ends with it (its end, or its reaper), not with the test that asked.
    public var shared: Bool
    /// A compose stack instead of one container: its services become the environment. Docker only.
    public var compose: ComposeSpec?

    public init(
        engine: EngineKind? = nil, name: String? = nil, python: String? = nil, requirements: [String] = [],
        requirementFiles: [String] = [], constraintFiles: [String] = [], indexURL: String? = nil,
        findLinks: [String] = [], offline: Bool = false, withPip: Bool = false, environment: [String: String] = [:],
        labels: [String: String] = [:], ttlSeconds: Double? = nil, cleanup: CleanupPolicy = .endOfSession,
        useTemplateCache: Bool = true, image: String? = nil, resources: ResourceLimits? = nil, network: String? = nil,
        ports: [Int] = [], command: [String]? = nil, entrypoint: [String]? = nil, workdir: String? = nil, user: String? = nil,
        readOnlyRoot: Bool = false, tmpfs: [TmpfsMount] = [], capAdd: [String] = [], capDrop: [String] = [], privileged: Bool = false,
        volumes: [VolumeMount] = [], secrets: [Secret] = [], waitFor: [WaitStrategy] = [], readyTimeoutSeconds: Double? = nil,
        healthcheck: HealthcheckSpec? = nil, build: BuildSpec? = nil, mode: DockerMode? = nil, reuse: Bool = false,
        shared: Bool = false, compose: ComposeSpec? = nil, placement: [String] = []
    ) {
        self.engine = engine
        self.name = name
        self.python = python
        self.requirements = requirements
        self.requirementFiles = requirementFiles
        self.constraintFiles = constraintFiles
        self.indexURL = indexURL
        self.findLinks = findLinks
        self.offline = offline
        self.withPip = withPip
        self.environment = environment
        self.labels = labels
        self.ttlSeconds = ttlSeconds
        self.cleanup = cleanup
        self.useTemplateCache = useTemplateCache
        self.image = image
        self.resources = resources
        self.network = network
        self.ports = ports
        self.command = command
        self.entrypoint = entrypoint
        self.workdir = workdir
        self.user = user
        self.readOnlyRoot = readOnlyRoot
        self.tmpfs = tmpfs
        self.capAdd = capAdd
        self.capDrop = capDrop
        self.privileged = privileged
        self.volumes = volumes
        self.secrets = secrets
        self.waitFor = waitFor
        self.readyTimeoutSeconds = readyTimeoutSeconds
        self.healthcheck = healthcheck
        self.build = build
        self.mode = mode
        self.reuse = reuse
        self.shared = shared
        self.compose = compose
        self.placement = placement
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case engine, name, python, requirements, requirementFiles, constraintFiles, findLinks, offline
        case indexURL = "indexUrl"
        case withPip, environment, labels, ttlSeconds, cleanup, useTemplateCache, image, resources, network, ports
        case command, entrypoint, workdir, user, readOnlyRoot, tmpfs, capAdd, capDrop, privileged, volumes, secrets, waitFor
        case readyTimeoutSeconds, healthcheck, build, mode, reuse, shared, compose, placement
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        try c.decode(.engine, into: &engine)
        try c.decode(.name, into: &name)
        try c.decode(.python, into: &python)
        try c.decode(.requirements, into: &requirements)
        try c.decode(.requirementFiles, into: &requirementFiles)
        try c.decode(.constraintFiles, into: &constraintFiles)
        try c.decode(.indexURL, into: &indexURL)
        try c.decode(.findLinks, into: &findLinks)
        try c.decode(.offline, into: &offline)
        try c.decode(.withPip, into: &withPip)
        try c.decode(.environment, into: &environment)
        try c.decode(.labels, into: &labels)
        try c.decode(.ttlSeconds, into: &ttlSeconds)
        try c.decode(.cleanup, into: &cleanup)
        try c.decode(.useTemplateCache, into: &useTemplateCache)
        try c.decode(.image, into: &image)
        try c.decode(.resources, into: &resources)
        try c.decode(.network, into: &network)
        try c.decode(.ports, into: &ports)
        try c.decode(.command, into: &command)
        try c.decode(.entrypoint, into: &entrypoint)
        try c.decode(.workdir, into: &workdir)
        try c.decode(.user, into: &user)
        try c.decode(.readOnlyRoot, into: &readOnlyRoot)
        try c.decode(.tmpfs, into: &tmpfs)
        try c.decode(.capAdd, into: &capAdd)
        try c.decode(.capDrop, into: &capDrop)
        try c.decode(.privileged, into: &privileged)
        try c.decode(.volumes, into: &volumes)
        try c.decode(.secrets, into: &secrets)
        try c.decode(.placement, into: &placement)
        try c.decode(.waitFor, into: &waitFor)
        try c.decode(.readyTimeoutSeconds, into: &readyTimeoutSeconds)
        try c.decode(.healthcheck, into: &healthcheck)
        try c.decode(.build, into: &build)
        try c.decode(.mode, into: &mode)
        try c.decode(.reuse, into: &reuse)
        try c.decode(.shared, into: &shared)
        try c.decode(.compose, into: &compose)
    }

    /// Checks the fields that need no engine to check.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the field and the fix.
    public func validate() throws {
        try checkLimits()
        try SchemaLimits.checkTexts(placement, "placement", maxCount: 64, maxLength: 1024)
        if let index = placement.firstIndex(where: { !["==", "!="].contains(where: $0.contains) }) {
            throw IsolationError(
                .invalidSpec, field: "placement[\(index)]",
                "'\(SchemaJSON.excerpt(placement[index]))' is no constraint; write ATTRIBUTE==VALUE or ATTRIBUTE!=VALUE, e.g. node.role==worker"
            )
        }
        if let python, python.trimmingCharacters(in: .whitespaces).isEmpty {
            throw IsolationError(.invalidSpec, field: "python", "empty; give a path, a version like \"3.11\" or a range like \">=3.10\"")
        }
        if let python, !python.contains("/") {
            _ = try PythonVersionRequest(python)
        }
        if let index = requirements.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw IsolationError(.invalidSpec, field: "requirements[\(index)]", "empty requirement; remove it")
        }
        if offline, findLinks.isEmpty, !(requirements.isEmpty && requirementFiles.isEmpty) {
            throw IsolationError(.invalidSpec, field: "offline", "true needs find_links (a directory of wheels) to install from")
        }
        if let key = labels.keys.first(where: { $0.isEmpty || $0.hasPrefix("ptest-iso.") }) {
            throw IsolationError(.invalidSpec, field: "labels", "key '\(key)' is empty or in the reserved 'ptest-iso.' namespace")
        }
        if let index = ports.firstIndex(where: { !(1...65535).contains($0) }) {
            throw IsolationError(.invalidSpec, field: "ports[\(index)]", "\(ports[index]) is not a port number (1 to 65535)")
        }
        if let index = ports.indices.first(where: { ports[..<$0].contains(ports[$0]) }) {
            throw IsolationError(
                .invalidSpec, field: "ports[\(index)]", "\(ports[index]) is listed twice; publish each container port once")
        }
        if !ports.isEmpty, network == "none" {
            throw IsolationError(
                .invalidSpec, field: "ports", "publishing needs a network; drop network: \"none\" (ports get an isolated network)")
        }
        if let key = environment.keys.first(where: { $0.isEmpty || $0.contains("=") }) {
            throw IsolationError(.invalidSpec, field: "environment", "variable name '\(key)' must be non-empty and contain no '='")
        }
        try validateContainerFields()
        try validateImageSource()
        try validateReuse()
        try validateCompose()
    }
}

/// Resource limits in the units users write: `512m`, `2Gi`; `1.5`, `1500m`.
public struct ResourceLimits: Codable, Sendable, Hashable {
    public var memory: String?
    public var cpus: String?
    public var pids: Int?
    /// GPUs to give the container (`docker run --gpus N`); needs a host with a GPU device driver.
    public var gpus: Int?

    public init(memory: String? = nil, cpus: String? = nil, pids: Int? = nil, gpus: Int? = nil) {
        self.memory = memory
        self.cpus = cpus
        self.pids = pids
        self.gpus = gpus
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case memory, cpus, pids, gpus
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        try c.decode(.memory, into: &memory)
        try c.decode(.cpus, into: &cpus)
        try c.decode(.pids, into: &pids)
        try c.decode(.gpus, into: &gpus)
    }
}
