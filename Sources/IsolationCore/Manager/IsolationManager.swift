import DockerAPI
public import Foundation
public import Logging
import NIOPosix

/// The brain: creates environments on the right engine, keeps their
/// status and records in the shared state store, enforces the cap on live
/// environments, and tells subscribers what happened, in order.
///
/// Operations on different environments run in parallel; each takes a
/// timeout and honours task cancellation.
public final class IsolationManager: Sendable {
    public struct Configuration: Sendable {
        /// The state directory (database, venvs, templates, snapshots).
        public var home: URL
        /// The session that owns what this manager creates.
        public var session: String
        public var maxLiveEnvironments: Int
        /// The TTL of an environment whose spec sets none.
        public var defaultTTLSeconds: Double
        public var templateCacheBytes: Int64
        /// The size budget of the Docker image cache (images built from `build` contexts), trimmed LRU first.
        public var imageCacheBytes: Int64 = ImageManager.defaultMaxBytes
        /// The `ptest-iso` binary to start the session's reaper with, so the session's leftovers
        /// are removed even when this process is killed. `nil` (the default unless
        /// `PTEST_ISO_REAPER` names one; `off` is none) starts none: the session then ends only through
        /// ``destroySession(_:timeout:)`` or ``cleanup(_:dryRun:now:)``.
        public var reaperExecutable: URL?
        /// How long the reaper waits after the session's last process has gone.
        public var reaperGraceSeconds: Double
        /// At most this many Docker containers kept started (and ready) ahead of need per spec once
        /// the spec has been used (``StandbyPool``): creation then skips the container's start and
        /// readiness wait. 0 turns it off.
        public var dockerStandbyDepth: Int = 0
        /// At most this many copies of a snapshot kept restored ahead of need once it has been
        /// restored (a restore-ahead pool, `restore:<snapshot id>`): the next restore is then a
        /// record update, not a copy. 0 turns it off.
        public var restoreAheadDepth: Int = 1
        /// The engines beyond the built-in ones and the switch for container specs; `nil` reads
        /// ``engineSettingsFile`` when there is one.
        public var engineSettings: EngineSettings?
        /// The engine settings file: `PTEST_ISO_ENGINES` unless set otherwise; with none, the
        /// manager reads `engines.json` in ``home`` when there is one.
        public var engineSettingsFile: URL?
        /// The time records are stamped with and TTLs judged by; tests move it instead of sleeping.
        public var clock: WallClock = .system

        public init(
            home: URL? = nil, session: String? = nil, maxLiveEnvironments: Int = 64, defaultTTLSeconds: Double = 4 * 3600,
            templateCacheBytes: Int64 = 2 << 30, reaperExecutable: URL? = nil, reaperGraceSeconds: Double = 2,
            environment: [String: String] = ProcessInfo.processInfo.environment
        ) {
            self.home = home ?? Self.defaultHome(environment)
            self.session = session ?? environment["PTEST_ISO_SESSION"] ?? "session-\(UUID().uuidString.prefix(12).lowercased())"
            self.maxLiveEnvironments = maxLiveEnvironments
            self.defaultTTLSeconds = defaultTTLSeconds
            self.templateCacheBytes = templateCacheBytes
            self.reaperExecutable =
                reaperExecutable ?? environment["PTEST_ISO_REAPER"].flatMap { ["", "off"].contains($0) ? nil : URL(fileURLWithPath: $0) }
            self.reaperGraceSeconds = reaperGraceSeconds
            self.engineSettingsFile = environment["PTEST_ISO_ENGINES"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
        }

        /// Checks every setting against its range before the manager opens anything.
        ///
        /// - Throws: `invalidSpec` naming the setting (as the C ABI's config names it) and its range.
        public func validate() throws {
            typealias L = SchemaLimits
            guard !session.isEmpty, session.utf8.count <= L.maxSessionLength, !session.contains(where: \.isNewline) else {
                throw IsolationError(
                    .invalidSpec, field: "session", "must be 1 to \(L.maxSessionLength) bytes on one line (it names labels and files)")
            }
            try L.checkText(home.path, "home", max: L.maxPathLength)
            try L.checkInteger(maxLiveEnvironments, "max_live_environments", 1...100_000)
            try L.checkSeconds(defaultTTLSeconds, "default_ttl_seconds", max: L.maxTTLSeconds)
            guard templateCacheBytes >= 0, imageCacheBytes >= 0 else {
                throw IsolationError(
                    .invalidSpec, field: templateCacheBytes < 0 ? "template_cache_bytes" : "image_cache_bytes",
                    "must be zero or more bytes")
            }
            try L.checkSeconds(reaperGraceSeconds, "reaper_grace_seconds", max: 86_400, zeroAllowed: true)
            try L.checkInteger(dockerStandbyDepth, "docker_standby_depth", 0...8)
            try L.checkInteger(restoreAheadDepth, "restore_ahead_depth", 0...8)
        }

        /// `PTEST_ISO_HOME`, else `$XDG_STATE_HOME/ptest-iso`, else `~/.local/state/ptest-iso`.
        public static func defaultHome(_ environment: [String: String]) -> URL {
            if let home = environment["PTEST_ISO_HOME"], !home.isEmpty { return URL(fileURLWithPath: home) }
            if let state = environment["XDG_STATE_HOME"], !state.isEmpty {
                return URL(fileURLWithPath: state).appendingPathComponent("ptest-iso")
            }
            return URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".local/state/ptest-iso")
        }
    }

    public let configuration: Configuration
    public let store: StateStore
    public let registry: EngineRegistry
    let broadcaster: EventBroadcaster
    let reaper: ReaperClient?
    /// Removals, standby starts and pool refills: child tasks of the manager's one task group.
    let background: BackgroundWork
    let warmPools = WarmPools()
    let logger: Logger

    /// The logger a manager gets when its owner gives none: it logs nothing.
    public static let silentLogger = Logger(label: "ptest-isolation.manager", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Opens the state directory (created with mode 0700) and its database, on a thread of
    /// NIO's blocking pool: opening a new database waits for another process that is migrating
    /// it (a lock file), and SQLite may wait out another process's write; neither may hold a
    /// Swift concurrency thread. What async code calls.
    ///
    /// - Parameter engines: `nil` registers the virtualenv and Docker engines.
    /// - Throws: ``IsolationError/Code/storageFailure`` when the directory or database cannot be opened.
    public static func open(
        configuration: Configuration = Configuration(),
        engines: [any IsolationEngine]? = nil,
        logger: Logger = IsolationManager.silentLogger
    ) async throws -> IsolationManager {
        try await NIOThreadPool.singleton.runIfActive {
            try IsolationManager(configuration: configuration, engines: engines, logger: logger)
        }
    }

    /// Opens the state directory (created with mode 0700) and its database, blocking the
    /// calling thread while it may wait for another process: for threads of the caller's own
    /// (the C ABI's callers); async code calls ``open(configuration:engines:logger:)``.
    ///
    /// - Parameter engines: `nil` registers the virtualenv and Docker engines.
    /// - Throws: ``IsolationError/Code/storageFailure`` when the directory or database cannot be opened.
    @available(*, noasync, message: "it may block the thread; use IsolationManager.open from async code")
    public init(
        configuration: Configuration = Configuration(),
        engines: [any IsolationEngine]? = nil,
        logger: Logger = IsolationManager.silentLogger
    ) throws {
        try configuration.validate()
        let home = configuration.home
        do {
            try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: home.path)
        } catch {
            throw IsolationError(.storageFailure, "state directory \(home.path): \(error); set PTEST_ISO_HOME to a writable directory")
        }
        self.configuration = configuration
        let background = BackgroundWork()
        self.background = background
        self.store = try StateStore.open(at: home.appendingPathComponent("state.sqlite"))
        self.broadcaster = EventBroadcaster(record: { [store] in store.recordEvent($0) })
        let settingsFile = configuration.engineSettingsFile ?? EngineSettings.file(home: home, environment: [:])
        let settings = try configuration.engineSettings ?? settingsFile.map(EngineSettings.load)
        try settings?.validate()
        let configured = (settings?.configured ?? []).map { $0.makeEngine(home: home) }
        let builtIn: [any IsolationEngine] = [
            VirtualenvEngine(home: home, templateCacheBytes: configuration.templateCacheBytes),
            DockerEngine(
                standbyDepth: configuration.dockerStandbyDepth, images: ImageManager(home: home, maxBytes: configuration.imageCacheBytes),
                background: background),
        ]
        // A section replaces the built-in engine of its kind (a `docker` pool, the single daemon).
        self.registry = EngineRegistry(
            engines ?? builtIn.filter { engine in !configured.contains { $0.kind == engine.kind } } + configured,
            containerEngine: settings?.defaultContainerEngine)
        self.logger = logger
        self.reaper = configuration.reaperExecutable.map {
            ReaperClient(
                paths: ReaperPaths(home: home, session: configuration.session), executable: $0,
                graceSeconds: configuration.reaperGraceSeconds, enginesFile: configuration.engineSettingsFile)
        }
        try store.registerSession(configuration.session, ownerPID: getpid())
        observeImageCache()
    }

    /// Makes sure the session's reaper runs and counts this process, before anything is created.
    func attachReaper() async throws {
        try await reaper?.attach(store: store)
    }

    /// Counts this process as one of the session's from now on, though it has made nothing yet:
    /// the session's reaper does not end the session while it runs. The process that ends a
    /// session itself (a pytest-xdist controller, which removes what its workers shared once the
    /// last of them is done) holds it, so the reaper starts only if that process dies.
    public func holdSession() async throws {
        try await attachReaper()
    }

    /// Events from now on, in order, until the manager is released.
    public func events() -> AsyncStream<IsolationEvent> {
        broadcaster.subscribe()
    }

    /// Which engine a spec would get, and why.
    public func chooseEngine(for spec: EnvironmentSpec) throws -> (engine: EngineKind, reason: String) {
        try spec.validate()
        let choice = try registry.choose(for: spec)
        return (choice.engine.kind, choice.reason)
    }

    public func get(_ id: String) async throws -> Environment {
        try refuseServiceAddress(id)
        guard let environment = try await store.environment(id) else {
            throw IsolationError(.notFound, "no environment '\(id)'; `ptest-iso ls` lists them")
        }
        return environment
    }

    public func list(_ filter: EnvironmentFilter = EnvironmentFilter()) async throws -> [Environment] {
        try await store.environments(matching: filter)
    }

    func engine(for environment: Environment) throws -> any IsolationEngine {
        guard let engine = registry.engine(environment.engine) else {
            throw IsolationError(
                .engineUnavailable, "environment \(environment.id) needs the \(environment.engine) engine, which is not registered")
        }
        return engine
    }

    /// Moves an environment to `status` in one transaction; illegal moves throw.
    @discardableResult
    func move(
        _ id: String, to status: EnvironmentStatus, _ change: @escaping @Sendable (inout Environment) -> Void = { _ in }
    ) async throws -> Environment {
        try refuseServiceAddress(id)
        return try await store.updateEnvironment(id) { environment in
            try environment.status.checkMove(to: status, environment: id)
            environment.status = status
            change(&environment)
        }
    }

    /// Runs engine work under an optional timeout, mapping the timeout to an ``IsolationError``.
    func bounded<T: Sendable>(_ timeout: Duration?, _ what: String, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        do {
            guard let timeout else { return try await work() }
            return try await withDeadline(
                timeout, what, timeoutError: { IsolationError(.timeout, "\(what) did not finish within \(timeout)") }, work)
        } catch is CancellationError {
            throw IsolationError(.cancelled, "\(what) was cancelled")
        }
    }
}
