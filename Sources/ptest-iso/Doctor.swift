import ArgumentParser
import Foundation
import IsolationCore

struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check which engines this machine can use.",
        discussion: """
            Reaches the Docker daemon that DOCKER_HOST, the docker context or the default \
            socket names, and reports its version and the negotiated Engine API version.

            Examples:
              ptest-iso doctor
              DOCKER_HOST=tcp://127.0.0.1:2376 ptest-iso doctor --json
            """
    )

    @OptionGroup var output: OutputOptions

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let home = IsolationManager.Configuration.defaultHome(environment)
        let settings = try EngineSettings.file(home: home, environment: environment).map(EngineSettings.load)
        let report = await Diagnostics.run(environment: environment, settings: settings)
        if output.json {
            try printJSON(report)
        } else {
            Self.print("docker  \(report.docker.endpoint)", report.docker)
            for (name, host) in (report.hosts ?? [:]).sorted(by: { $0.key < $1.key }) {
                Self.print("pool host \(name)  \(host.endpoint)", host)
            }
        }
        if !report.docker.reachable {
            throw ExitCode(ExitStatus.engineUnavailable)
        }
    }

    static func print(_ title: String, _ docker: Diagnostics.Docker) {
        Swift.print(title)
        if docker.reachable {
            Swift.print("  status   ready")
            Swift.print("  server   \(docker.serverVersion ?? "?") (Engine API \(docker.apiVersion ?? "?"))")
            Swift.print("  host     \(docker.operatingSystem ?? "?"), cgroup v\(docker.cgroupVersion ?? "?"), \(docker.cpus ?? 0) CPUs")
        } else {
            Swift.print("  status   unavailable")
            Swift.print("  problem  \(docker.problem ?? "unknown")")
        }
    }
}
