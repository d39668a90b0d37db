/// The ready-made services under test: Postgres, Redis and any HTTP server. Each is a Docker
/// spec with a readiness check that proves the service answers, and the URL a test connects
/// with (``ServiceDefinition``). Every front reaches this one catalogue: the CLI's
/// `create --service` and `services`, the C ABI's `service_spec` and `service_connection`,
/// and Python's `ptest_isolation.services` through the ABI.
public enum ReadyMadeService: String, CaseIterable, Codable, Sendable, SchemaEnum {
    case postgres, redis, http

    /// The type of this service's options.
    public var optionsType: any ServiceOptions.Type {
        switch self {
        case .postgres: PostgresOptions.self
        case .redis: RedisOptions.self
        case .http: HTTPServiceOptions.self
        }
    }

    /// The options it takes, in listing order.
    public var catalogue: [ServiceOption] { optionsType.catalogue }

    /// Its options at their defaults.
    public var defaults: any ServiceOptions { optionsType.init() }

    /// The names, for errors that list them: `postgres, redis, http`.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
