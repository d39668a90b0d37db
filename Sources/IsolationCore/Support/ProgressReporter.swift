import Synchronization

/// Where an engine's steps go while it works (the manager turns them into `progress` events):
/// one observer, set once the manager owns the engine.
public final class ProgressReporter: Sendable {
    private let observer = Mutex<(@Sendable (_ subject: String?, _ detail: String) -> Void)?>(nil)

    public init() {}

    /// Receives a sentence per step, with the environment (or job) it is about.
    public func observe(_ body: @escaping @Sendable (_ subject: String?, _ detail: String) -> Void) {
        observer.withLock { $0 = body }
    }

    func report(_ subject: String?, _ detail: String) {
        observer.withLock { $0 }?(subject, detail)
    }
}
