import Foundation

/// Jobs: one-off containers run to completion, with retries and a deadline.
extension IsolationManager {
    /// Runs a job to completion: builds or finds its image, runs its container, and retries a
    /// non-zero exit after `backoffSeconds`, doubling each time, until `retries` are used.
    ///
    /// Not an error: a non-zero exit code after the last retry (it is in the result).
    /// The job's containers and volumes carry the session's labels, so cleanup and the
    /// session's reaper find them; the last one stays for `ttlSeconds`.
    ///
    /// - Throws: ``IsolationError`` — `invalidSpec` naming the field; `timeout` naming
    ///   `deadlineSeconds`, with the last output, when the deadline passes (the running
    ///   container is killed and removed); `engineUnavailable` without a Docker engine.
    public func runJob(_ spec: JobSpec) async throws -> JobResult {
        try spec.validate()
        // Jobs go where container specs go: the settings' default_container_engine, else docker.
        let preferred = registry.engine(registry.containerEngine ?? .docker) as? any JobRunner
        guard let docker = preferred ?? dockerEngine else {
            throw IsolationError(.engineUnavailable, "jobs need the docker engine, which is not registered")
        }
        try await attachReaper()
        let started = ContinuousClock.now
        let deadlineSeconds = spec.deadlineSeconds ?? JobSpec.defaultDeadlineSeconds
        let deadline = started + .milliseconds(Int64(deadlineSeconds * 1000))
        let job = newJob(spec, deadlineSeconds: deadlineSeconds)
        let id = job.id
        func deadlinePassed(_ when: String, lastOutput: String) -> IsolationError {
            let output = lastOutput.isEmpty ? "no output" : "last output:\n\(lastOutput)"
            return IsolationError(
                .timeout, "job \(id): deadline_seconds \(deadlineSeconds) passed \(when); nothing of it is left; \(output)")
        }
        broadcaster.emit(.progress, detail: "\(id): started \(spec.command.joined(separator: " "))")
        var attempts = 0
        var container: String?
        do {
            let resolved: DockerEngine.ResolvedImage
            do {
                resolved = try await docker.resolveJobImage(job, subject: id, timeout: deadline - .now)
            } catch let error as IsolationError where error.code == .timeout {
                throw deadlinePassed("while getting its image (\(error.message))", lastOutput: "")
            }
            var last: DockerEngine.JobAttempt
            while true {
                attempts += 1
                do {
                    last = try await docker.runJobAttempt(
                        job, image: resolved.reference, name: "ptest-iso-\(id)-\(attempts)", deadline: deadline)
                } catch let exceeded as DockerEngine.JobDeadlineExceeded {
                    throw deadlinePassed(
                        "during attempt \(attempts) of \(spec.retries + 1), which was killed", lastOutput: exceeded.lastOutput)
                }
                container = last.container
                if last.exitCode == 0 || attempts > spec.retries { break }
                try await docker.removeJob(job, container: last.container, volumes: false)
                container = nil
                // Capped at the deadline, which it could not fit into anyway, so it stays a representable duration.
                let delay = min(spec.backoffSeconds * pow(2, Double(attempts - 1)), deadlineSeconds)
                let output = DockerEngine.lastLines(String(decoding: last.stdout + last.stderr, as: UTF8.self), 20)
                guard ContinuousClock.now + .milliseconds(Int64(delay * 1000)) < deadline else {
                    throw deadlinePassed("before retry \(attempts) (attempt \(attempts) exited \(last.exitCode))", lastOutput: output)
                }
                broadcaster.emit(.progress, detail: "\(id): attempt \(attempts) exited \(last.exitCode); retrying in \(delay)s")
                try await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
            }
            let keep = spec.ttlSeconds > 0
            if !keep {
                try await docker.removeJob(job, container: last.container, volumes: true)
                container = nil
            }
            let result = JobResult(
                id: id, exitCode: last.exitCode, stdout: String(decoding: last.stdout, as: UTF8.self),
                stderr: String(decoding: last.stderr, as: UTF8.self), durationSeconds: (ContinuousClock.now - started).seconds,
                attempts: attempts, image: resolved.details["image"] ?? resolved.reference, imageCache: resolved.details["image_cache"],
                container: keep ? last.container : nil, expiresAt: keep ? job.expiresAt : nil)
            broadcaster.emit(.progress, detail: "\(id): finished with exit code \(last.exitCode) after \(attempts) attempt(s)")
            return result
        } catch {
            // Whatever failed, the job leaves nothing behind; what cannot be removed now is found by its labels later.
            try? await docker.removeJob(job, container: container, volumes: true)
            broadcaster.emit(.error, detail: "\(id): \(error)")
            if error is CancellationError { throw IsolationError(.cancelled, "job \(id) was cancelled") }
            throw error
        }
    }

    /// The unrecorded environment that stands for a job: a fresh id, and labels that let cleanup
    /// find its containers and volumes. They expire after the deadline plus the TTL, the latest
    /// a finished job's container is wanted; one kept for inspection outlives its session's end.
    private func newJob(_ spec: JobSpec, deadlineSeconds: Double) -> Environment {
        let id = "job-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        let now = configuration.clock.now()
        let expiresAt = now.addingTimeInterval(deadlineSeconds + spec.ttlSeconds)
        var labels = spec.labels
        labels.merge(
            ResourceLabels.labels(
                session: configuration.session, home: configuration.home, environment: id, expiresAt: expiresAt.timeIntervalSince1970,
                cleanup: spec.ttlSeconds > 0 ? .afterTTL : .endOfSession)
        ) { $1 }
        labels[ResourceLabels.job] = id
        return Environment(
            id: id, engine: registry.containerEngine ?? .docker, spec: spec.containerSpec, status: .running, session: configuration.session,
            labels: labels,
            createdAt: now, expiresAt: expiresAt)
    }
}
