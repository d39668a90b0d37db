import DockerAPI
public import Foundation

/// What the engines can reach on this machine, for `ptest-iso doctor`
/// and for tests that choose an engine.
public struct Diagnostics: Sendable, Codable {
    public struct Docker: Sendable, Codable {
        /// The daemon address, as `docker` would pick it.
        public var endpoint: String
        public var reachable: Bool
        public var serverVersion: String?
        /// The Engine API version both sides speak.
        public var apiVersion: String?
        public var operatingSystem: String?
        public var cgroupVersion: String?
        public var cpus: Int?
        public var memoryBytes: Int64?
        /// Why the daemon cannot be used, with the fix.
        public var problem: String?
        /// The stable error code when it cannot be used.
        public var problemCode: String?
    }

    public var docker: Docker
    /// Each host of a configured Docker pool (the engine settings' `docker.hosts`), probed alike.
    public var hosts: [String: Docker]?

    /// Probes the Docker daemon the environment points at, and each host of the pool that
    /// `settings` configures.
    ///
    /// Never throws: an unreachable daemon is a finding, reported in ``Docker/problem``.
    public static func run(
        environment: [String: String] = ProcessInfo.processInfo.environment, settings: EngineSettings?
    ) async -> Diagnostics {
        var report = await run(environment: environment)
        guard let pool = settings?.configured.compactMap({ $0 as? DockerPoolSettings }).first else { return report }
        var hosts: [String: Docker] = [:]
        for host in pool.hosts { hosts[host.name] = await run(environment: host.clientEnvironment).docker }
        report.hosts = hosts
        return report
    }

    /// Probes the Docker daemon the environment points at.
    ///
    /// Never throws: an unreachable daemon is a finding, reported in ``Docker/problem``.
    public static func run(environment: [String: String] = ProcessInfo.processInfo.environment) async -> Diagnostics {
        var docker = Docker(endpoint: "unknown", reachable: false)
        do {
            let configuration = try DockerClient.Configuration.fromEnvironment(environment)
            docker.endpoint = configuration.endpoint.description
            try await withDockerClient(configuration) { client in
                let info = try await client.info()
                docker.reachable = true
                docker.apiVersion = client.apiVersion.description
                docker.serverVersion = info.serverVersion
                docker.operatingSystem = info.operatingSystem
                docker.cgroupVersion = info.cgroupVersion
                docker.cpus = info.nCPU
                docker.memoryBytes = info.memTotal
            }
        } catch let error as DockerError {
            docker.problem = error.message
            docker.problemCode = error.code.name
        } catch {
            docker.problem = "\(error)"
        }
        return Diagnostics(docker: docker, hosts: nil)
    }
}
