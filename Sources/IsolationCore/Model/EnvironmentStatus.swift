/// Where an environment is in its life.
///
/// `creating → ready → (running ⇄ stopped, running ⇄ paused) → destroying →
/// destroyed`, and `failed` from any live state. Any other move is an error, never a
/// silent no-op.
public enum EnvironmentStatus: String, Codable, Sendable, CaseIterable {
    case creating, ready, running, stopped, paused, destroying, destroyed, failed

    /// Statuses in which the environment holds resources.
    public var isLive: Bool {
        switch self {
        case .creating, .ready, .running, .stopped, .paused, .destroying, .failed: return true
        case .destroyed: return false
        }
    }

    public func canMove(to next: EnvironmentStatus) -> Bool {
        switch (self, next) {
        case (.creating, .ready), (.creating, .failed), (.creating, .destroying):
            return true
        case (.ready, .running), (.ready, .stopped), (.ready, .paused), (.ready, .destroying), (.ready, .failed):
            return true
        case (.running, .stopped), (.running, .paused), (.running, .ready), (.running, .destroying), (.running, .failed):
            return true
        case (.paused, .running), (.paused, .destroying), (.paused, .failed):
            return true
        case (.stopped, .running), (.stopped, .destroying), (.stopped, .failed):
            return true
        case (.failed, .destroying):
            return true
        case (.destroying, .destroyed), (.destroying, .failed):
            return true
        default:
            return false
        }
    }

    /// Validates a move.
    ///
    /// - Throws: ``IsolationError/Code/illegalTransition`` naming both statuses.
    public func checkMove(to next: EnvironmentStatus, environment: String) throws {
        guard canMove(to: next) else {
            throw IsolationError(
                .illegalTransition,
                "environment \(environment) is \(rawValue) and cannot become \(next.rawValue)"
            )
        }
    }
}
