public import Foundation

/// Which ready-made service, with which options: what `service_spec` takes as
/// `{"service": "postgres", "options": {"dbname": "app"}}`, and `create --service` builds from
/// its `--set NAME=VALUE` settings.
public struct ServiceDefinition: Sendable, Decodable {
    public var service: ReadyMadeService
    public private(set) var options: any ServiceOptions

    /// The service with `options`, at its defaults when `nil`.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` when `options` are another service's.
    public init(_ service: ReadyMadeService, options: (any ServiceOptions)? = nil) throws {
        let options = options ?? service.defaults
        guard type(of: options).service == service else {
            throw IsolationError(
                .invalidSpec, field: "options", "\(type(of: options).service.rawValue)'s options given for \(service.rawValue)")
        }
        self.service = service
        self.options = options
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case service, options
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        try self.init(fieldsOf: decoder)
    }

    /// Reads `service` and `options` out of a larger object that checks its own fields (the
    /// C ABI's `service_connection` request has `host_port` beside them).
    package init(fieldsOf decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        service = try c.decode(ReadyMadeService.self, forKey: .service)
        // The options' type follows the service; their decoder keeps the path (`options.port`).
        options = c.contains(.options) ? try service.optionsType.init(from: try c.superDecoder(forKey: .options)) : service.defaults
    }

    /// Reads `{"service": ..., "options": {...}}` in the project's snake_case dialect.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the field (`options.pasword:
    ///   unknown field; did you mean 'password'?`, `service: 'mysql' is not one of …`).
    public static func decode(json: Data) throws -> ServiceDefinition {
        try SchemaJSON.decode(ServiceDefinition.self, from: json, what: "service")
    }

    /// The port the service listens on inside its container.
    public var containerPort: Int { options.containerPort }

    /// The service's spec, its options checked first and the spec after them, as `create` would.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming an option (`options.port`) or,
    ///   for what only the whole spec shows, the spec's field.
    public func spec() throws -> EnvironmentSpec {
        try options.validate()
        let spec = options.spec()
        try spec.validate()
        return spec
    }

    /// The connection details once ``containerPort`` is published on `port` of `host`.
    public func connection(port: Int, host: String = ServiceConnection.defaultHost, path: String? = nil) -> ServiceConnection {
        ServiceConnection(
            service: service, host: host, port: port, containerPort: containerPort, url: options.url(host: host, port: port, path: path))
    }

    /// The connection details of an environment made from ``spec()``.
    ///
    /// - Throws: ``IsolationError/Code/notFound`` when the environment publishes no port for
    ///   ``containerPort`` (it was made from another spec, or is not running).
    public func connection(of environment: Environment) throws -> ServiceConnection {
        guard let port = environment.details["port.\(containerPort)"].flatMap(Int.init) else {
            throw IsolationError(
                .notFound,
                "environment \(environment.id) publishes no port \(containerPort); it was not made from this \(service.rawValue) spec")
        }
        return connection(port: port)
    }
}
