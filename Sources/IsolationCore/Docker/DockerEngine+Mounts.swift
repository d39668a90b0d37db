import DockerAPI
import Foundation

/// Mounts, security options and the healthcheck: what the spec adds to a container beyond its image.
extension DockerEngine {
    /// The working directory inside the container, where files are copied.
    static func workDirectory(of spec: EnvironmentSpec) -> String { spec.workdir ?? defaultWorkDirectory }

    /// No new privileges always; privileged only when the spec asks.
    static func security(of spec: EnvironmentSpec) -> ContainerSpec.Security {
        var security = ContainerSpec.Security()
        security.noNewPrivileges = true
        security.privileged = spec.privileged
        security.readOnlyRootFilesystem = spec.readOnlyRoot
        security.capAdd = spec.capAdd
        security.capDrop = spec.capDrop
        return security
    }

    static func healthcheck(of spec: HealthcheckSpec) -> ContainerSpec.Healthcheck {
        let kinds = ["CMD", "CMD-SHELL", "NONE"]
        func duration(_ seconds: Double?) -> Duration? { seconds.map { .milliseconds(Int64(($0 * 1000).rounded())) } }
        return ContainerSpec.Healthcheck(
            test: kinds.contains(spec.test[0]) ? spec.test : ["CMD"] + spec.test, interval: duration(spec.intervalSeconds),
            timeout: duration(spec.timeoutSeconds), startPeriod: duration(spec.startPeriodSeconds), retries: spec.retries)
    }

    /// The name of a volume the environment owns.
    static func volumeName(_ source: String, of environment: Environment) -> String {
        "ptest-iso-\(environment.id)-\(source)"
    }

    /// Creates the environment's named volumes (labelled like the container) and
    /// returns every mount: volumes, bind mounts, tmpfs, and the secrets' tmpfs.
    ///
    /// A read-only root gets a volume on the working directory unless the spec
    /// mounts something there, because the archive API cannot write into a tmpfs.
    func mounts(for environment: Environment, client: DockerClient) async throws -> [ContainerSpec.Mount] {
        let spec = environment.spec
        var mounts: [ContainerSpec.Mount] = []
        var volumes = spec.volumes
        let work = Self.workDirectory(of: spec)
        if spec.readOnlyRoot, !volumes.contains(where: { $0.target == work }), !spec.tmpfs.contains(where: { $0.path == work }) {
            // `_work` cannot collide with a spec's volume: their names start with a letter or digit.
            volumes.append(VolumeMount(source: "_work", target: work, type: .volume))
        }
        for volume in volumes {
            switch volume.kind {
            case .bind:
                mounts.append(.bind(volume.source, at: volume.target, readOnly: volume.readOnly))
            case .volume:
                let name = Self.volumeName(volume.source, of: environment)
                if (try? await client.inspectVolume(name)) == nil {
                    try await client.createVolume(DockerAPI.VolumeSpec(name: name, labels: environment.labels))
                }
                mounts.append(.volume(name, at: volume.target, readOnly: volume.readOnly))
            }
        }
        for tmpfs in spec.tmpfs {
            mounts.append(.tmpfs(at: tmpfs.path, sizeBytes: try tmpfs.size.map { try ResourceParsing.sizeBytes($0, field: "tmpfs.size") }))
        }
        if spec.secrets.contains(where: { $0.delivery == .file }) {
            // Memory only: file secrets never reach the container's layer, a volume, or a committed snapshot.
            // A non-root user writes its own files there, so the directory is writable by all (and sticky).
            mounts.append(.tmpfs(at: Secret.directory, sizeBytes: 1 << 20, mode: spec.user == nil ? 0o755 : 0o1777))
        }
        return mounts
    }

    /// Removes the volumes the environment owns, found by their label.
    func removeVolumes(of environment: Environment, client: DockerClient) async throws {
        guard Self.mayCarryItsLabel(environment) else { return }
        let owned = try await client.listVolumes(filters: [
            "label": ["\(ResourceLabels.managed)=true", "\(ResourceLabels.environment)=\(environment.id)"]
        ])
        for volume in owned {
            do {
                try await client.removeVolume(volume.name, force: true)
            } catch let error as DockerError where error.code == .notFound {}
        }
    }
}
