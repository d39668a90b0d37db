/// An engine that runs jobs (``IsolationManager/runJob(_:)``): one-off containers to completion.
/// The manager keeps the retries, backoff and deadline; an engine runs one attempt at a time.
protocol JobRunner: IsolationEngine {
    /// Builds or finds the job's image where its attempts will run.
    func resolveJobImage(_ job: Environment, subject: String, timeout: Duration) async throws -> DockerEngine.ResolvedImage
    /// Runs one attempt to its exit, at most until `deadline`; what it leaves is for ``removeJob(_:container:volumes:)``.
    ///
    /// - Throws: ``DockerEngine/JobDeadlineExceeded`` (nothing left) when the deadline passes first.
    func runJobAttempt(_ job: Environment, image: String, name: String, deadline: ContinuousClock.Instant) async throws
        -> DockerEngine.JobAttempt
    /// Removes what an attempt left (`container` as the attempt named it), and with `volumes` the job's volumes.
    func removeJob(_ job: Environment, container: String?, volumes: Bool) async throws
}

extension DockerEngine: JobRunner {
    func resolveJobImage(_ job: Environment, subject: String, timeout: Duration) async throws -> ResolvedImage {
        try await withClient {
            try await self.resolveImage(job.spec.image, build: job.spec.build, subject: subject, client: $0, timeout: timeout)
        }
    }
}
