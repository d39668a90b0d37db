import DockerAPI
import Foundation

/// Jobs as swarm jobs (`ReplicatedJob`): each attempt is a service that runs one task to
/// completion where the scheduler puts it; its exit code comes from the task, its output from
/// the task's node. An attempt is named by its service.
extension SwarmEngine: JobRunner {
    func resolveJobImage(_ job: Environment, subject: String, timeout: Duration) async throws -> DockerEngine.ResolvedImage {
        let resolved = try await manager.withClient {
            try await self.manager.resolveImage(job.spec.image, build: job.spec.build, subject: subject, client: $0, timeout: timeout)
        }
        return DockerEngine.ResolvedImage(reference: try await distribute(resolved.reference), details: resolved.details)
    }

    func runJobAttempt(_ job: Environment, image: String, name: String, deadline: ContinuousClock.Instant) async throws
        -> DockerEngine.JobAttempt
    {
        let spec = job.spec
        let refused: [(String, Bool)] = [
            ("volumes", !spec.volumes.isEmpty), ("tmpfs", !spec.tmpfs.isEmpty), ("cap_add", !spec.capAdd.isEmpty),
            ("cap_drop", !spec.capDrop.isEmpty), ("privileged", spec.privileged), ("secrets", !spec.secrets.isEmpty),
        ]
        if let field = refused.first(where: \.1)?.0 {
            throw IsolationError(.invalidSpec, field: field, "not offered for jobs on the swarm engine; remove it or run the job on docker")
        }
        var service = SwarmServiceSpec(name: name, image: image)
        service.mode = .job
        service.labels = job.labels
        service.containerLabels = job.labels
        service.args = spec.command
        service.entrypoint = spec.entrypoint
        service.environment = spec.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        service.workingDirectory = spec.workdir
        service.user = spec.user
        service.readOnlyRoot = spec.readOnlyRoot
        if let network = spec.network { service.networks = [.init(target: network)] }
        if let resources = spec.resources {
            service.memoryBytes = try resources.memory.map(ResourceParsing.memoryBytes)
            service.nanoCPUs = try resources.cpus.map(ResourceParsing.nanoCPUs)
            service.pids = resources.pids.map(Int64.init)
        }
        let id = try await manager.withClient { try await $0.createService(service) }
        do {
            while ContinuousClock.now < deadline {
                try Task.checkCancellation()
                let tasks = try await manager.withClient { try await $0.listTasks(filters: ["service": [id]]) }
                if let task = tasks.first, ["complete", "failed"].contains(task.status.state),
                    let container = task.status.containerStatus?.containerID, let nodeID = task.nodeID
                {
                    let logs = try await nodeLogs(container, nodeID: nodeID, tail: nil)
                    return DockerEngine.JobAttempt(
                        container: name, exitCode: Int32(clamping: task.status.containerStatus?.exitCode ?? -1), stdout: logs.stdout,
                        stderr: logs.stderr)
                }
                if let task = tasks.first,
                    ["rejected", "orphaned"].contains(task.status.state) || (task.status.state == "pending" && task.status.err != nil)
                {
                    throw IsolationError(
                        .invalidSpec, "the swarm could not run job \(job.id): task \(task.status.state): \(task.status.err ?? "")")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            let tasks = try? await manager.withClient { try await $0.listTasks(filters: ["service": [id]]) }
            var lastOutput = ""
            if let task = tasks?.first, let container = task.status.containerStatus?.containerID, let nodeID = task.nodeID,
                let logs = try? await nodeLogs(container, nodeID: nodeID, tail: 20)
            {
                lastOutput = DockerEngine.lastLines(String(decoding: logs.stdout + logs.stderr, as: UTF8.self), 20)
            }
            try? await removeJob(job, container: name, volumes: true)
            throw DockerEngine.JobDeadlineExceeded(lastOutput: lastOutput)
        } catch let error as DockerEngine.JobDeadlineExceeded {
            throw error
        } catch {
            try? await removeJob(job, container: name, volumes: true)
            throw error
        }
    }

    private func nodeLogs(_ container: String, nodeID: String, tail: Int?) async throws -> (stdout: Data, stderr: Data) {
        let node = try await manager.withClient { try await $0.inspectNode(nodeID) }
        let logs = try await engine(at: try endpoint(of: node)).withClient {
            try await $0.containerLogs(container, options: DockerClient.LogOptions(tail: tail))
        }
        return (logs.stdout, logs.stderr)
    }

    func removeJob(_ job: Environment, container: String?, volumes: Bool) async throws {
        guard let container else { return }
        // A finished task's container stays on its node after its service goes: removed here, by the node.
        let tasks = (try? await manager.withClient { try await $0.listTasks(filters: ["service": [container]]) }) ?? []
        try await manager.withClient { client in
            do {
                try await client.removeService(container)
            } catch let error as DockerError where error.code == .notFound {}
        }
        for task in tasks {
            guard let id = task.status.containerStatus?.containerID, let nodeID = task.nodeID,
                let node = try? await manager.withClient({ try await $0.inspectNode(nodeID) }), let endpoint = try? endpoint(of: node)
            else { continue }
            try? await engine(at: endpoint).withClient { try await $0.removeContainer(id, force: true, removeVolumes: true) }
        }
    }
}
