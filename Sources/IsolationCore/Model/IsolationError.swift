/// An error of the isolation manager or one of its engines.
///
/// Callers switch on ``code``; ``message`` names the field or the
/// environment and says how to fix it. The C ABI carries ``Code/name``
/// as its stable error code.
public struct IsolationError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case invalidSpec, notFound, illegalTransition, capacityExceeded, engineUnavailable
            case interpreterNotFound, installFailed, timeout, cancelled, snapshotFailed, storageFailure, ioFailure
            case daemonUnavailable
        }

        let base: Base
        private init(_ base: Base) { self.base = base }

        /// A spec field is malformed or contradicts another one.
        public static let invalidSpec = Code(.invalidSpec)
        /// No environment, snapshot or session with that id.
        public static let notFound = Code(.notFound)
        /// The operation is not allowed in the environment's current status.
        public static let illegalTransition = Code(.illegalTransition)
        /// The cap on live environments is reached.
        public static let capacityExceeded = Code(.capacityExceeded)
        /// No registered engine can provide what the spec asks for.
        public static let engineUnavailable = Code(.engineUnavailable)
        /// No Python interpreter matches the request.
        public static let interpreterNotFound = Code(.interpreterNotFound)
        /// A package installer failed; its output is in the message.
        public static let installFailed = Code(.installFailed)
        /// The operation passed its deadline.
        public static let timeout = Code(.timeout)
        /// The operation was cancelled.
        public static let cancelled = Code(.cancelled)
        /// Taking, restoring, exporting or importing a snapshot failed.
        public static let snapshotFailed = Code(.snapshotFailed)
        /// The state database could not be read or written.
        public static let storageFailure = Code(.storageFailure)
        /// A file operation failed.
        public static let ioFailure = Code(.ioFailure)
        /// The Docker daemon cannot be reached or refused the TLS handshake.
        public static let daemonUnavailable = Code(.daemonUnavailable)

        public var name: String { base.rawValue }
        public var description: String { base.rawValue }

        /// The code of a stable ``name``, as another front (a server's answer) carries it.
        public init?(name: String) {
            guard let base = Base(rawValue: name) else { return nil }
            self.init(base)
        }
    }

    public var code: Code
    /// One line: `field: problem and fix` when a field is at fault.
    public var message: String
    /// The field at fault, as the fronts' JSON names it (`wait_for[0].http.port`); `nil` when
    /// no one field is. The C ABI carries it as `details.field`.
    public var field: String?

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// An error about `field`; the message reads `field: problem`.
    public init(_ code: Code, field: String?, _ problem: String) {
        self.code = code
        self.field = field
        self.message = field.map { "\($0): \(problem)" } ?? problem
    }

    /// The message without its leading field.
    public var problem: String {
        guard let field, message.hasPrefix(field + ": ") else { return message }
        return String(message.dropFirst(field.count + 2))
    }

    public var description: String { "\(code): \(message)" }
}
