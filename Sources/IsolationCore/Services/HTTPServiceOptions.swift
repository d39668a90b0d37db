import Foundation

/// Any image that serves HTTP on ``port``, ready once a GET of ``path`` from the host
/// answers ``status``; or, given a ``directory``, busybox's `httpd` serving it.
public struct HTTPServiceOptions: ServiceOptions, Equatable {
    public static let service = ReadyMadeService.http
    public static let defaultImage = "ptest-iso-test/busybox:latest"
    /// Where ``directory`` is mounted (read-only) in the container.
    public static let documentRoot = "/srv/www"
    public static let catalogue = [
        ServiceOption("image", .text, "an image that serves HTTP on the port"),
        ServiceOption("port", .integer, "the port it listens on in the container"),
        ServiceOption("path", .text, "what the readiness check GETs"),
        ServiceOption("status", .integer, "the status that means ready"),
        ServiceOption("command", .command, "replaces the image's command (a setting runs it with sh -c)"),
        ServiceOption(
            "directory", .path, "a host directory mounted read-only at \(documentRoot); without a command, busybox httpd serves it"),
        ServiceOption("environment", .variables, "variables for the container"),
        ServiceOption("ready_timeout_seconds", .seconds, "how long the readiness check may take"),
    ]

    public var image = Self.defaultImage
    public var port = 8080
    public var path = "/"
    public var status = 200
    /// `nil` keeps the image's own command (or serves ``directory``).
    public var command: [String]?
    /// An absolute host path.
    public var directory: String?
    public var environment: [String: String] = [:]
    public var readyTimeoutSeconds: Double = 30

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case image, port, path, status, command, directory, environment, readyTimeoutSeconds
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try c.decode(.image, into: &image)
        try c.decode(.port, into: &port)
        try c.decode(.path, into: &path)
        try c.decode(.status, into: &status)
        command = try c.decodeIfPresent([String].self, forKey: .command)
        directory = try c.decodeIfPresent(String.self, forKey: .directory)
        try c.decode(.environment, into: &environment)
        try c.decode(.readyTimeoutSeconds, into: &readyTimeoutSeconds)
    }

    public var containerPort: Int { port }

    public func validate() throws {
        let field = ServiceOptionChecks.field
        try ServiceOptionChecks.common(image: image, environment: environment, readyTimeoutSeconds: readyTimeoutSeconds)
        try SchemaLimits.checkInteger(port, field("port"), 1...65535)
        try SchemaLimits.checkInteger(status, field("status"), 100...599)
        guard path.hasPrefix("/") else {
            throw IsolationError(.invalidSpec, field: field("path"), "'\(SchemaJSON.excerpt(path))' must start with '/'")
        }
        try SchemaLimits.checkText(path, field("path"), max: SchemaLimits.maxPathLength)
        if let command {
            guard !command.isEmpty else {
                throw IsolationError(.invalidSpec, field: field("command"), "must not be empty; leave it out for the image's own")
            }
            try SchemaLimits.checkTexts(
                command, field("command"), maxCount: SchemaLimits.maxArguments, maxLength: SchemaLimits.maxArgumentLength)
        }
        if let directory {
            // The spec's volume check says the same of any bind mount; named here as the option.
            guard directory.hasPrefix("/") else {
                throw IsolationError(
                    .invalidSpec, field: field("directory"), "'\(SchemaJSON.excerpt(directory))' is relative; give an absolute host path")
            }
            guard !directory.split(separator: "/").contains("..") else {
                throw IsolationError(
                    .invalidSpec, field: field("directory"), "'\(SchemaJSON.excerpt(directory))' contains '..'; give the resolved path")
            }
            try SchemaLimits.checkText(directory, field("directory"), max: SchemaLimits.maxPathLength)
            guard FileManager.default.fileExists(atPath: directory) else {
                throw IsolationError(
                    .invalidSpec, field: field("directory"), "'\(SchemaJSON.excerpt(directory))' does not exist on the host")
            }
        }
    }

    public func spec() -> EnvironmentSpec {
        var spec = EnvironmentSpec(image: image, ports: [port], mode: .service)
        spec.environment = environment
        spec.command = command ?? directory.map { _ in ["httpd", "-f", "-p", String(port), "-h", Self.documentRoot] }
        if let directory {
            spec.volumes = [VolumeMount(source: directory, target: Self.documentRoot, readOnly: true, type: .bind)]
        }
        // From the host, through the published port: what a test's client will do.
        spec.waitFor = [.http(.init(port: port, path: path, status: status))]
        spec.readyTimeoutSeconds = readyTimeoutSeconds
        return spec
    }

    /// `http://host:port/`: the server's root (``path`` is the readiness check's, not the address).
    public func url(host: String, port: Int, path: String?) -> String {
        let below = (path ?? "/").drop { $0 == "/" }
        return "http://\(host):\(port)/\(below)"
    }
}
