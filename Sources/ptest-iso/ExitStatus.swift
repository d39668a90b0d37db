import ArgumentParser
import IsolationCore

/// The CLI's exit codes, stable for scripts (docs/cli.md lists them).
/// `run` passes its command's own exit code through instead.
enum ExitStatus {
    static let success: Int32 = 0
    /// The operation ran and failed: an installer, a snapshot, a file operation.
    static let failed: Int32 = 1
    static let notFound: Int32 = 3
    /// An engine or the Docker daemon cannot be used (`doctor` says why).
    static let engineUnavailable: Int32 = 4
    /// A spec or another input is malformed.
    static let invalidInput: Int32 = 5
    static let timeout: Int32 = 6
    /// The environment's status forbids the operation (e.g. `run` in a stopped one), or the cap on live environments is reached.
    static let conflict: Int32 = 7
    /// A server refused (`--url`): the token, a quota, a method it does not offer, or a local-only
    /// command given a server.
    static let refused: Int32 = 8
    /// argument-parser's code for a bad command line (EX_USAGE).
    static let usage: Int32 = ExitCode.validationFailure.rawValue
    /// A bug: an error nobody mapped (EX_SOFTWARE).
    static let internalError: Int32 = 70
    /// Interrupted by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).
    static let interrupted: Int32 = 130

    static func code(for error: IsolationError) -> Int32 {
        switch error.code {
        case .notFound: notFound
        case .engineUnavailable, .daemonUnavailable, .interpreterNotFound: engineUnavailable
        case .invalidSpec: invalidInput
        case .timeout: timeout
        case .cancelled: interrupted
        case .illegalTransition, .capacityExceeded: conflict
        case .installFailed, .snapshotFailed, .ioFailure, .storageFailure: failed
        default: internalError
        }
    }
}
