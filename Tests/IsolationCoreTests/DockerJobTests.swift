import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// Jobs: one-off containers run to completion, against the real daemon.
@Suite struct DockerJobTests {
    static let busybox = DockerEngineTests.busybox
    static let session = "docker-job-tests"

    func manager(_ home: borrowing TestHome) throws -> IsolationManager {
        try IsolationManager(
            configuration: .init(home: home.url, session: Self.session),
            engines: [DockerEngine(images: ImageManager(home: home.url, maxBytes: 1 << 30))])
    }

    func leftovers(of job: String) async throws -> (containers: [ContainerSummary], volumes: [VolumeInspect]) {
        try await withDockerClient(try .fromEnvironment()) { client in
            let filter = ["label": ["ptest-iso.job=\(job)"]]
            let environment = ["label": ["ptest-iso.environment=\(job)"]]
            return (try await client.listContainers(all: true, filters: filter), try await client.listVolumes(filters: environment))
        }
    }

    @Test func aJobRunsToCompletionAndLeavesNothing() async throws {
        let home = try TestHome("job-ok")
        let manager = try manager(home)
        let result = try await manager.runJob(
            JobSpec(image: Self.busybox, command: ["sh", "-c", "echo out; echo err >&2; echo $MODE"], environment: ["MODE": "job"]))
        #expect(result.exitCode == 0)
        #expect(result.stdout == "out\njob\n")
        #expect(result.stderr == "err\n")
        #expect(result.attempts == 1)
        #expect(result.container == nil)
        #expect(result.imageCache == nil)
        let left = try await leftovers(of: result.id)
        #expect(left.containers.isEmpty)

        // A non-zero exit is a result, not an error.
        let failed = try await manager.runJob(JobSpec(image: Self.busybox, command: ["sh", "-c", "exit 3"]))
        #expect(failed.exitCode == 3)
        #expect(failed.attempts == 1)
    }

    /// The security fields of environments, observed from inside the job's container.
    @Test func aJobTakesAReadOnlyRootCapabilitiesAndSecretVariables() async throws {
        let home = try TestHome("job-security")
        let manager = try manager(home)
        let script = """
            touch /root-file 2>/dev/null && echo root-writable || echo root-read-only
            touch /scratch/file && echo tmpfs-writable
            grep CapEff /proc/self/status
            echo "$API_TOKEN"
            """
        let result = try await manager.runJob(
            JobSpec(
                image: Self.busybox, command: ["sh", "-c", script], tmpfs: [TmpfsMount(path: "/scratch")], readOnlyRoot: true,
                capDrop: ["ALL"], secrets: [Secret(name: "API_TOKEN", value: "s3cret")]))
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout == "root-read-only\ntmpfs-writable\nCapEff:\t0000000000000000\ns3cret\n")

        let added = try await manager.runJob(
            JobSpec(image: Self.busybox, command: ["sh", "-c", "grep CapEff /proc/self/status"], capAdd: ["NET_RAW"], capDrop: ["ALL"]))
        // CAP_NET_RAW is bit 13.
        #expect(added.stdout == "CapEff:\t0000000000002000\n")

        let file = await #expect(throws: IsolationError.self) {
            try await manager.runJob(
                JobSpec(image: Self.busybox, command: ["true"], secrets: [Secret(name: "key", value: "k", as: .file)]))
        }
        #expect(file?.code == .invalidSpec)
        #expect(file?.message.hasPrefix("secrets[0]: a job takes secrets as variables") == true)
    }

    @Test func aFailingAttemptIsRetriedAndTheVolumeIsSharedAcrossAttempts() async throws {
        let home = try TestHome("job-retry")
        let manager = try manager(home)
        let events = manager.events()
        // Fails until the marker exists in the job's volume; the first attempt leaves it.
        let script = "if [ -f /state/marker ]; then echo recovered; exit 0; fi; touch /state/marker; echo not yet >&2; exit 4"
        let result = try await manager.runJob(
            JobSpec(
                image: Self.busybox, command: ["sh", "-c", script], volumes: [VolumeMount(source: "state", target: "/state")],
                retries: 3, backoffSeconds: 0.1))
        #expect(result.exitCode == 0)
        #expect(result.attempts == 2)
        #expect(result.stdout == "recovered\n")
        let retried = await firstEvent(in: events) { $0.detail?.contains("retrying") == true }?.detail
        #expect(retried?.hasPrefix("\(result.id): attempt 1 exited 4; retrying in 0.1") == true)
        let left = try await leftovers(of: result.id)
        #expect(left.containers.isEmpty)
        #expect(left.volumes.isEmpty)

        // Retries used up: the last attempt's exit code is the result.
        let exhausted = try await manager.runJob(
            JobSpec(image: Self.busybox, command: ["sh", "-c", "exit 5"], retries: 2, backoffSeconds: 0))
        #expect(exhausted.exitCode == 5)
        #expect(exhausted.attempts == 3)
    }

    @Test func aJobPastItsDeadlineIsKilledWithATimeoutNamingItAndTheLastOutput() async throws {
        let home = try TestHome("job-deadline")
        let manager = try manager(home)
        let events = manager.events()
        let error = await #expect(throws: IsolationError.self) {
            try await manager.runJob(
                // Long enough for the container to start and print even on a loaded CI machine.
                JobSpec(image: Self.busybox, command: ["sh", "-c", "echo working; sleep 600"], deadlineSeconds: 10))
        }
        #expect(error?.code == .timeout)
        #expect(error?.message.contains("deadline_seconds 10.0 passed during attempt 1 of 1") == true, "\(String(describing: error))")
        #expect(error?.message.hasSuffix("last output:\nworking") == true, "\(String(describing: error))")
        let failed = await firstEvent(in: events) { $0.kind == .error }
        let job = try #require(failed?.detail?.split(separator: ":").first.map(String.init))
        let left = try await leftovers(of: job)
        #expect(left.containers.isEmpty)

        // A backoff that cannot fit before the deadline fails at once instead of sleeping past it.
        let backoff = await #expect(throws: IsolationError.self) {
            try await manager.runJob(
                JobSpec(
                    image: Self.busybox, command: ["sh", "-c", "echo nope; exit 1"], retries: 100, backoffSeconds: 1e6, deadlineSeconds: 60)
            )
        }
        #expect(backoff?.code == .timeout)
        #expect(backoff?.message.contains("passed before retry 1 (attempt 1 exited 1)") == true, "\(String(describing: backoff))")
        #expect(backoff?.message.hasSuffix("last output:\nnope") == true, "\(String(describing: backoff))")
    }

    @Test func theDeadlineCoversTheBuild() async throws {
        let home = try TestHome("job-deadline-build")
        let manager = try manager(home)
        let directory = home.url.appendingPathComponent("slow")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("FROM \(Self.busybox)\nRUN sleep 120\n".utf8).write(to: directory.appendingPathComponent("Dockerfile"))
        let error = await #expect(throws: IsolationError.self) {
            try await manager.runJob(JobSpec(build: BuildSpec(context: directory.path), command: ["true"], deadlineSeconds: 2))
        }
        #expect(error?.code == .timeout)
        #expect(error?.message.contains("deadline_seconds 2.0 passed while getting its image") == true, "\(String(describing: error))")
        #expect(manager.cachedImages().isEmpty)
    }

    @Test func aKeptJobContainerIsLabelledToExpireAndCleanupRemovesIt() async throws {
        let home = try TestHome("job-ttl")
        let manager = try manager(home)
        let result = try await manager.runJob(
            JobSpec(image: Self.busybox, command: ["echo", "inspect me"], ttlSeconds: 300))
        let container = try #require(result.container)
        let kept = try await leftovers(of: result.id).containers
        #expect(kept.map(\.id) == [container])
        let labels = kept.first?.labels ?? [:]
        #expect(labels["ptest-iso.session"] == Self.session)
        #expect(labels["ptest-iso.cleanup"] == "after-ttl")
        #expect(labels["ptest-iso.home"] != nil)
        let expiresAt = try #require(labels["ptest-iso.expires-at"].flatMap(Double.init))
        let reported = try #require(result.expiresAt)
        // The label is rounded up to whole seconds.
        #expect(Date(timeIntervalSince1970: expiresAt) >= reported.addingTimeInterval(-1))
        // The session's end spares it; its expiry does not.
        _ = try await manager.cleanup(.endedSession(Self.session))
        #expect(try await leftovers(of: result.id).containers.count == 1)
        let report = try await manager.cleanup(.expired, now: Date(timeIntervalSince1970: expiresAt + 1))
        #expect(report.containers.contains(container))
        #expect(try await leftovers(of: result.id).containers.isEmpty)
    }

    @Test func aJobRunsABuiltImageFromTheCache() async throws {
        let home = try TestHome("job-build")
        let manager = try manager(home)
        let directory = home.url.appendingPathComponent("ctx")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("FROM \(Self.busybox)\nRUN echo built > /built.txt\n".utf8).write(to: directory.appendingPathComponent("Dockerfile"))
        let spec = JobSpec(build: BuildSpec(context: directory.path), command: ["cat", "/built.txt"])
        let first = try await manager.runJob(spec)
        #expect(first.stdout == "built\n")
        #expect(first.imageCache == "miss")
        #expect(try await manager.runJob(spec).imageCache == "hit")
        try await manager.gc(limit: 0)
    }

    @Test func badJobSpecsNameTheField() async throws {
        let home = try TestHome("job-bad")
        let manager = try manager(home)
        for (spec, prefix) in [
            (JobSpec(image: Self.busybox, command: []), "command: empty"),
            (JobSpec(command: ["true"]), "image: a job needs an image"),
            (JobSpec(image: Self.busybox, command: ["true"], retries: -1), "retries: -1"),
            (JobSpec(image: Self.busybox, command: ["true"], deadlineSeconds: 0), "deadline_seconds: 0"),
            (JobSpec(image: Self.busybox, command: ["true"], ttlSeconds: -1), "ttl_seconds: -1"),
            (JobSpec(image: Self.busybox, command: ["true"], network: "isolated"), "network:"),
            (JobSpec(image: Self.busybox, command: ["true"], network: "ptest-iso-test-no-such-network"), "network: 'ptest-iso-test-no"),
            (JobSpec(image: Self.busybox, command: ["true"], deadlineSeconds: 1e300), "deadline_seconds: 1e+300"),
        ] {
            let error = await #expect(throws: IsolationError.self) { try await manager.runJob(spec) }
            #expect(error?.code == .invalidSpec)
            #expect(error?.message.hasPrefix(prefix) == true, "\(String(describing: error))")
        }
    }
}
