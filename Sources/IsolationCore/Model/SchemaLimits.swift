/// The bounds of every number and string that crosses a front (docs/environments.md#limits).
///
/// Each is far above real use and far below what breaks something: a duration must fit
/// whole milliseconds in an `Int64` (a larger one trapped the process), a string is stored,
/// labelled and listed, so an unbounded one makes every later `ls` slow.
public enum SchemaLimits {
    public static let maxTTLSeconds: Double = 365 * 24 * 3600
    public static let maxTimeoutSeconds: Double = 30 * 24 * 3600
    public static let maxReadyTimeoutSeconds: Double = 24 * 3600
    public static let maxNameLength = 128
    public static let maxSessionLength = 128
    public static let maxLabels = 64
    public static let maxLabelKeyLength = 128
    public static let maxLabelValueLength = 1024
    public static let maxVariables = 1024
    /// Linux's limit on one argument or variable (`MAX_ARG_STRLEN`).
    public static let maxArgumentLength = 128 * 1024
    public static let maxArguments = 4096
    public static let maxListItems = 1024
    /// Paths, URLs, requirement strings, images: `PATH_MAX`.
    public static let maxPathLength = 4096
    /// Secrets and stdin are values, not names: larger, still bounded.
    public static let maxValueBytes = 1 << 20
    public static let maxStdinBytes = 64 << 20

    /// - Throws: `invalidSpec` naming `field` unless `seconds` is `nil` or in `(0, max]`.
    public static func checkSeconds(_ seconds: Double?, _ field: String, max: Double, zeroAllowed: Bool = false) throws {
        guard let seconds else { return }
        let low = zeroAllowed ? seconds >= 0 : seconds > 0
        guard low, seconds <= max else {
            throw IsolationError(
                .invalidSpec, field: field,
                "\(seconds) must be \(zeroAllowed ? "zero or more" : "a positive number of") seconds, at most \(Self.days(max))")
        }
    }

    /// A checked number of seconds as a `Duration`: the one conversion fronts use for timeouts.
    ///
    /// - Throws: `invalidSpec` naming `field` unless `seconds` is in `(0, 30 days]`; a zero or
    ///   negative timeout is an error on every operation, never "no limit" (leave it out for that).
    public static func timeout(_ seconds: Double?, field: String = "timeout_seconds") throws -> Duration? {
        try checkSeconds(seconds, field, max: maxTimeoutSeconds)
        return seconds.map { .milliseconds(Int64(($0 * 1000).rounded(.up))) }
    }

    static func checkInteger(_ value: Int?, _ field: String, _ range: ClosedRange<Int>) throws {
        guard let value, !range.contains(value) else { return }
        throw IsolationError(.invalidSpec, field: field, "\(value) must be from \(range.lowerBound) to \(range.upperBound)")
    }

    static func checkText(_ text: String?, _ field: String, max: Int) throws {
        guard let text, text.utf8.count > max else { return }
        throw IsolationError(.invalidSpec, field: field, "\(text.utf8.count) bytes long; at most \(max) are allowed")
    }

    static func checkTexts(_ texts: [String], _ field: String, maxCount: Int = maxListItems, maxLength: Int = maxPathLength) throws {
        guard texts.count <= maxCount else {
            throw IsolationError(.invalidSpec, field: field, "\(texts.count) items; at most \(maxCount) are allowed")
        }
        for (index, text) in texts.enumerated() { try checkText(text, "\(field)[\(index)]", max: maxLength) }
    }

    static func checkMap(_ map: [String: String], _ field: String, maxCount: Int, maxKey: Int, maxValue: Int) throws {
        guard map.count <= maxCount else {
            throw IsolationError(.invalidSpec, field: field, "\(map.count) entries; at most \(maxCount) are allowed")
        }
        for (key, value) in map.sorted(by: { $0.key < $1.key }) {
            try checkText(key, "\(field) key '\(key.prefix(32))…'", max: maxKey)
            try checkText(value, "\(field).\(key)", max: maxValue)
        }
    }

    private static func days(_ seconds: Double) -> String {
        seconds >= 24 * 3600 ? "\(Int(seconds / (24 * 3600))) days" : "\(Int(seconds)) seconds"
    }
}

extension EnvironmentSpec {
    /// The sizes of every field, before any other check reads them.
    func checkLimits() throws {
        typealias L = SchemaLimits
        try L.checkText(name, "name", max: L.maxNameLength)
        try L.checkText(python, "python", max: L.maxPathLength)
        try L.checkTexts(requirements, "requirements")
        try L.checkTexts(requirementFiles, "requirement_files")
        try L.checkTexts(constraintFiles, "constraint_files")
        try L.checkText(indexURL, "index_url", max: L.maxPathLength)
        try L.checkTexts(findLinks, "find_links")
        try L.checkMap(environment, "environment", maxCount: L.maxVariables, maxKey: L.maxPathLength, maxValue: L.maxArgumentLength)
        try L.checkMap(labels, "labels", maxCount: L.maxLabels, maxKey: L.maxLabelKeyLength, maxValue: L.maxLabelValueLength)
        try L.checkSeconds(ttlSeconds, "ttl_seconds", max: L.maxTTLSeconds)
        try L.checkText(image, "image", max: L.maxPathLength)
        try L.checkText(network, "network", max: L.maxNameLength)
        guard ports.count <= L.maxListItems else {
            throw IsolationError(.invalidSpec, field: "ports", "\(ports.count) ports; at most \(L.maxListItems) are allowed")
        }
        try L.checkTexts(command ?? [], "command", maxCount: L.maxArguments, maxLength: L.maxArgumentLength)
        try L.checkTexts(entrypoint ?? [], "entrypoint", maxCount: L.maxArguments, maxLength: L.maxArgumentLength)
        try L.checkText(workdir, "workdir", max: L.maxPathLength)
        try L.checkText(user, "user", max: L.maxNameLength)
        try L.checkTexts(capAdd, "cap_add", maxLength: L.maxNameLength)
        try L.checkTexts(capDrop, "cap_drop", maxLength: L.maxNameLength)
        try L.checkTexts(tmpfs.map(\.path), "tmpfs")
        try L.checkTexts(volumes.map(\.source), "volumes")
        try L.checkTexts(volumes.map(\.target), "volumes")
        try L.checkTexts(secrets.map(\.name), "secrets", maxLength: L.maxNameLength)
        for (index, secret) in secrets.enumerated() {
            try L.checkText(secret.value, "secrets[\(index)].value", max: L.maxValueBytes)
        }
        guard waitFor.count <= 64 else {
            throw IsolationError(.invalidSpec, field: "wait_for", "\(waitFor.count) conditions; at most 64 are allowed")
        }
        try L.checkSeconds(readyTimeoutSeconds, "ready_timeout_seconds", max: L.maxReadyTimeoutSeconds)
        if let build {
            try L.checkText(build.context, "build.context", max: L.maxPathLength)
            try L.checkText(build.dockerfile, "build.dockerfile", max: L.maxPathLength)
            try L.checkMap(build.args, "build.args", maxCount: L.maxVariables, maxKey: L.maxPathLength, maxValue: L.maxArgumentLength)
        }
        if let resources {
            try L.checkInteger(resources.pids, "resources.pids", 1...4_194_304)
            try L.checkInteger(resources.gpus, "resources.gpus", 1...64)
        }
        if let healthcheck {
            for (name, seconds) in [
                ("interval_seconds", healthcheck.intervalSeconds), ("timeout_seconds", healthcheck.timeoutSeconds),
                ("start_period_seconds", healthcheck.startPeriodSeconds),
            ] {
                try L.checkSeconds(seconds, "healthcheck.\(name)", max: L.maxReadyTimeoutSeconds)
            }
            try L.checkInteger(healthcheck.retries, "healthcheck.retries", 0...1000)
        }
    }
}

extension Command {
    /// Checks what a front hands the engines to run.
    ///
    /// - Throws: `invalidSpec` naming `argv`, `environment`, `working_directory`, `timeout_seconds` or `stdin`.
    public func validate() throws {
        typealias L = SchemaLimits
        guard let program = argv.first, !program.isEmpty else {
            throw IsolationError(.invalidSpec, field: "argv", "empty; give the program and its arguments")
        }
        try L.checkTexts(argv, "argv", maxCount: L.maxArguments, maxLength: L.maxArgumentLength)
        try L.checkMap(environment, "environment", maxCount: L.maxVariables, maxKey: L.maxPathLength, maxValue: L.maxArgumentLength)
        if let key = environment.keys.first(where: { $0.isEmpty || $0.contains("=") }) {
            throw IsolationError(.invalidSpec, field: "environment", "variable name '\(key)' must be non-empty and contain no '='")
        }
        try L.checkText(workingDirectory, "working_directory", max: L.maxPathLength)
        try L.checkSeconds(timeoutSeconds, "timeout_seconds", max: L.maxTimeoutSeconds)
        if let stdin, stdin.count > L.maxStdinBytes {
            throw IsolationError(.invalidSpec, field: "stdin", "\(stdin.count) bytes; at most \(L.maxStdinBytes) are passed")
        }
    }
}
