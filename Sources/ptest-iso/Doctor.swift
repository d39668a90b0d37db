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
        let report = await Diagnostics.run()
        if output.json {
            try printJSON(report)
        } else {
            let docker = report.docker
            print("docker  \(docker.endpoint)")
            if docker.reachable {
                print("  status   ready")
                print("  server   \(docker.serverVersion ?? "?") (Engine API \(docker.apiVersion ?? "?"))")
                print("  host     \(docker.operatingSystem ?? "?"), cgroup v\(docker.cgroupVersion ?? "?"), \(docker.cpus ?? 0) CPUs")
            } else {
                print("  status   unavailable")
                print("  problem  \(docker.problem ?? "unknown")")
            }
        }
        if !report.docker.reachable {
            throw ExitCode(ExitStatus.engineUnavailable)
        }
    }
}
