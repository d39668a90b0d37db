/// An error from the Docker Engine or from reaching it.
///
/// Callers switch on ``code`` instead of matching message strings. The
/// daemon's own message, when it sent one, is kept in ``message``.
public struct DockerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, stable across releases. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case daemonUnreachable
            case notFound
            case conflict
            case badParameter
            case notModified
            case unauthorized
            case tlsFailure
            case timeout
            case apiVersionUnsupported
            case invalidConfiguration
            case protocolError
            case streamError
            case serverError
            case fileSystem
        }

        let base: Base
        private init(_ base: Base) { self.base = base }

        /// The daemon could not be reached at the configured address.
        public static let daemonUnreachable = Code(.daemonUnreachable)
        /// The container, image, network, volume or exec does not exist (404).
        public static let notFound = Code(.notFound)
        /// The request conflicts with the object's state or name (409).
        public static let conflict = Code(.conflict)
        /// The daemon rejected a parameter (400).
        public static let badParameter = Code(.badParameter)
        /// The object already was in the requested state (304).
        public static let notModified = Code(.notModified)
        /// The daemon or a registry refused the credentials (401/403).
        public static let unauthorized = Code(.unauthorized)
        /// The TLS handshake failed (wrong CA, certificate or key).
        public static let tlsFailure = Code(.tlsFailure)
        /// The operation did not finish before its deadline.
        public static let timeout = Code(.timeout)
        /// Client and daemon share no Engine API version.
        public static let apiVersionUnsupported = Code(.apiVersionUnsupported)
        /// The client configuration (DOCKER_HOST, certificates, context) is invalid.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The daemon answered something this client cannot understand.
        public static let protocolError = Code(.protocolError)
        /// A streamed operation (pull, build, push) reported an error mid-stream.
        public static let streamError = Code(.streamError)
        /// The daemon failed internally (5xx).
        public static let serverError = Code(.serverError)
        /// A host file (an image or archive being written or sent) could not be read or written.
        public static let fileSystem = Code(.fileSystem)

        /// The stable name of the code, e.g. `notFound`.
        public var name: String { base.rawValue }
        public var description: String { base.rawValue }
    }

    public var code: Code
    /// A human-readable explanation, the daemon's message where there is one.
    public var message: String
    /// The HTTP status the daemon answered with, when it answered.
    public var httpStatus: Int?

    public init(_ code: Code, _ message: String, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
    }

    public var description: String {
        if let httpStatus {
            return "\(code) (HTTP \(httpStatus)): \(message)"
        }
        return "\(code): \(message)"
    }

    static func fromStatus(_ status: Int, message: String) -> DockerError {
        let code: Code
        switch status {
        case 304: code = .notModified
        case 400: code = .badParameter
        case 401, 403: code = .unauthorized
        case 404: code = .notFound
        case 409: code = .conflict
        case 500...: code = .serverError
        default: code = .protocolError
        }
        return DockerError(code, message, httpStatus: status)
    }
}
