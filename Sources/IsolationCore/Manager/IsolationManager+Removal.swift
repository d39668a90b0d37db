extension IsolationManager {
    /// Destroys an environment on request of a person rather than a test run.
    ///
    /// Without `force`, only an environment nobody is using goes: ready,
    /// stopped or failed. With `force`, any status: a running or creating one
    /// too, one stuck in `destroying` (its process died) is destroyed again,
    /// and one already destroyed is not an error.
    ///
    /// - Throws: `notFound`; `illegalTransition` naming `--force` when the status forbids it.
    public func remove(_ id: String, force: Bool = false, timeout: Duration? = nil) async throws {
        let environment = try await get(id)
        switch environment.status {
        case .ready, .stopped, .failed:
            break
        case .destroyed:
            if force { return }
            throw IsolationError(.illegalTransition, "environment \(id) is already destroyed")
        case .creating, .running, .paused, .destroying:
            guard force else {
                throw IsolationError(
                    .illegalTransition, "environment \(id) is \(environment.status.rawValue), maybe in use; force to remove it anyway")
            }
            if environment.status == .destroying {
                // Only a dead destroyer leaves this status behind; failed may move to destroying again.
                try await move(id, to: .failed) { $0.failure = "forced removal while destroying" }
            }
        }
        try await destroy(id, timeout: timeout)
    }
}
