import DockerAPI
import Foundation

/// A snapshot of a compose stack is the single-container snapshot done for every service at one
/// moment: all the stack's containers are paused, each service's container is committed to an
/// image of its own (`ptest-iso-snapshot:<snapshot>-<service>`), each named volume of the
/// project is copied as a container's volumes are (DockerEngine+SnapshotVolumes.swift), and the
/// project as it ran is recorded (``StackSnapshotRecord``). A restore is a stack create of that
/// project under a new project name, its services from the committed images and its volumes
/// filled from the copies before the first container starts; the export and import of the
/// archive are the single snapshot's, with the images saved together.
///
/// Not copied: bind mounts (host paths, bound again as they are), external volumes (the restored
/// stack mounts the same ones, as a second create of the files would), anonymous volumes and
/// tmpfs, and the replicas past a service's first (every replica restores from its image).
extension DockerEngine {
    /// Loads a stack's project: the process's variables first, the spec's over them; the loader
    /// adds the `.env` file beneath both.
    static func loadProject(_ compose: ComposeSpec, files: [String], name: String) throws -> ComposeProject {
        try ComposeLoader.load(
            files: files, projectName: name, environment: ProcessInfo.processInfo.environment.merging(compose.environment) { $1 },
            profiles: compose.profiles)
    }

    func snapshotStack(_ environment: Environment, as snapshot: Snapshot) async throws -> EngineArtifact {
        try await withClient { client in
            let plan = try await self.runningPlan(of: environment, client: client)
            var labels = ResourceLabels.outliving(environment.labels)
            labels[ResourceLabels.cleanup] = environment.spec.cleanup.rawValue
            labels[ResourceLabels.snapshot] = snapshot.id
            let containers = try await self.containers(of: environment, client: client)
            var wasPaused: Set<String> = []
            var running: [String] = []
            for id in containers {
                let state = try await client.inspectContainer(id).state
                if state.paused { wasPaused.insert(id) } else if state.running { running.append(id) }
            }
            // One moment for the whole stack: every container is paused before the first commit and
            // stays paused until the last volume is copied.
            var pausedHere: [String] = []
            let artifact: EngineArtifact
            do {
                for id in running {
                    try await client.pauseContainer(id)
                    pausedHere.append(id)
                }
                artifact = try await self.captureStack(plan, of: environment, as: snapshot, labels: labels, client: client)
            } catch {
                for id in pausedHere { try? await client.unpauseContainer(id) }
                throw error
            }
            do {
                for id in pausedHere { try await client.unpauseContainer(id) }
                // A daemon under load has been seen (CI) to leave a committed container paused when
                // its own unpause failed: what was not paused before is not after.
                for id in containers where !wasPaused.contains(id) {
                    if try await client.inspectContainer(id).state.paused { try await client.unpauseContainer(id) }
                }
            } catch {
                try? await self.removeSnapshotResources(
                    snapshot.id, images: Self.snapshotImages(of: artifact, id: snapshot.id), client: client)
                throw error
            }
            return artifact
        }
    }

    /// The plan the stack runs, from its files loaded again (their absolute paths are on its
    /// containers); each service must be the one its containers were made from, or the snapshot
    /// would record another stack than the one it holds.
    private func runningPlan(of environment: Environment, client: DockerClient) async throws -> ComposeStackPlan {
        guard let compose = environment.spec.compose, let name = environment.details["compose.project"] else {
            throw IsolationError(.snapshotFailed, "environment \(environment.id) has no compose project recorded; it is not a stack")
        }
        let main = try await client.inspectContainer(environment.location).config.labels ?? [:]
        let files = (main[ComposeLabels.configFiles] ?? "").split(separator: ",").map(String.init)
        let plan: ComposeStackPlan
        do {
            plan = try ComposeStackPlan(
                project: try Self.loadProject(compose, files: files.isEmpty ? compose.files : files, name: name), compose: compose)
        } catch let error as IsolationError {
            throw IsolationError(
                .snapshotFailed, "stack \(environment.id): its compose files no longer load (\(error.message)); restore them to snapshot it"
            )
        }
        let started = (environment.details["compose.services"] ?? "").split(separator: ",").map(String.init)
        guard plan.order.map(\.name) == started else {
            throw IsolationError(
                .snapshotFailed,
                "stack \(environment.id) runs \(started.joined(separator: ", ")), but its compose files now start \(plan.order.map(\.name).joined(separator: ", ")); recreate the stack to snapshot it"
            )
        }
        for service in plan.order {
            guard let id = environment.details["container.\(service.name)"],
                let container = try? await client.inspectContainer(id)
            else {
                throw IsolationError(
                    .snapshotFailed, "stack \(environment.id): the container of service \(service.name) is gone; recreate the stack")
            }
            guard container.config.labels?[ComposeLabels.configHash] == service.configHash else {
                throw IsolationError(
                    .snapshotFailed,
                    "stack \(environment.id): service \(service.name) changed in the compose files (or their variables) since the stack came up; recreate the stack to snapshot it"
                )
            }
        }
        return plan
    }

    /// Commits each service's container and copies the project's volumes; undoes what it made when a step fails.
    private func captureStack(
        _ plan: ComposeStackPlan, of environment: Environment, as snapshot: Snapshot, labels: [String: String], client: DockerClient
    ) async throws -> EngineArtifact {
        var images: [String: String] = [:]
        do {
            for service in plan.order {
                guard let container = environment.details["container.\(service.name)"] else {
                    throw IsolationError(.snapshotFailed, "stack \(environment.id): service \(service.name) has no container recorded")
                }
                images[service.name] = try await client.commitContainer(
                    container,
                    options: CommitOptions(
                        repository: Self.snapshotRepository, tag: StackSnapshotRecord.tagName(snapshot.id, service: service.name),
                        comment: "\(snapshot.name): \(service.name)", labels: labels))
            }
            guard let mainImage = images[plan.main.name] else {
                throw IsolationError(.snapshotFailed, "stack \(environment.id): the main service \(plan.main.name) was not committed")
            }
            let volumes = Self.copiedVolumes(of: plan)
            try await snapshotVolumes(volumes, of: environment, snapshot: snapshot, image: mainImage, labels: labels, client: client)

            let started = Set(plan.order.map(\.name))
            var project = plan.project
            project.services = project.services.filter { started.contains($0.name) }.map { service in
                var committed = service
                committed.image = images[service.name]
                committed.build = nil
                return committed
            }
            project.warnings = []
            var details = environment.details
            details["snapshot_image"] = mainImage
            details[Self.snapshotVolumesKey] = volumes.isEmpty ? nil : volumes.map(\.source).joined(separator: ",")
            details[StackSnapshotRecord.detailsKey] = try StackSnapshotRecord(project: project).encoded()
            return EngineArtifact(location: mainImage, details: details)
        } catch {
            // Every service's tag, committed or not: a commit cut short may have made its image all the same.
            let made = plan.order.map { (StackSnapshotRecord.tag(snapshot.id, service: $0.name), images[$0.name] ?? "") }
            try? await removeSnapshotResources(snapshot.id, images: made, client: client)
            throw error
        }
    }

    /// The project's named volumes the started services mount and the project owns (external
    /// ones are not copied), by key with their Docker names, as ``createStack`` names them.
    static func copiedVolumes(of plan: ComposeStackPlan) -> [(source: String, volume: String)] {
        let used = Set(plan.order.flatMap { $0.volumes.filter { $0.type == .volume }.compactMap(\.source) })
        return used.sorted().compactMap { key in
            guard let volume = plan.project.volumes[key], !volume.external else { return nil }
            return (key, volume.name ?? "\(plan.project.name)_\(key)")
        }
    }

    /// The images of a snapshot being made, before it has a record of its own.
    private static func snapshotImages(of artifact: EngineArtifact, id: String) throws -> [(tag: String, image: String)] {
        let pending = Snapshot(
            id: id, name: id, engine: .docker, sourceEnvironment: "", spec: EnvironmentSpec(), createdAt: Date(),
            location: artifact.location, details: artifact.details)
        return try snapshotImages(of: pending, id: id)
    }

    /// A new stack from the snapshot: its recorded project under the new environment's project
    /// name, brought up as a create brings a stack up (order, waits, cleanup on failure).
    func restoreStack(_ snapshot: Snapshot, _ stack: StackSnapshotRecord, into environment: Environment) async throws
        -> EngineArtifact
    {
        guard let compose = environment.spec.compose else {
            throw IsolationError(.snapshotFailed, "snapshot \(snapshot.name) is of a compose stack, but its spec has no compose")
        }
        var project = stack.project
        project.name = compose.projectName ?? "ptest-iso-\(environment.id)"
        let plan = try ComposeStackPlan(project: project, compose: compose)
        try await withClient { client in
            for service in plan.order {
                guard let image = service.image, (try? await client.inspectImage(image)) != nil else {
                    throw IsolationError(
                        .snapshotFailed,
                        "snapshot \(snapshot.name): the image of service \(service.name) (\(service.image ?? "none")) is gone from the daemon; take the snapshot again"
                    )
                }
            }
        }
        var artifact = try await createStack(environment, plan: plan, seed: snapshot)
        artifact.details["restored_from"] = snapshot.name
        return artifact
    }

    /// Fills the new stack's volumes (key → Docker name) from the snapshot's copies.
    func fillStackVolumes(_ volumes: [String: String], from snapshot: Snapshot, environment: Environment, client: DockerClient)
        async throws
    {
        var pairs: [(from: String, to: String)] = []
        for (source, copy) in try await snapshotCopies(of: snapshot, client: client) {
            guard let target = volumes[source] else {
                throw IsolationError(
                    .snapshotFailed, "snapshot \(snapshot.name): no service of the restored stack mounts its volume '\(source)'")
            }
            pairs.append((copy, target))
        }
        try await copyVolumes(pairs, image: snapshot.location, labels: environment.labels, client: client)
    }
}
