import BenchSupport
import DockerAPI
import Foundation

/// Command-line settings, parsed by hand like the other benches'.
struct ManagerExecOptions: Sendable, BenchCommandLine {
    var iterations = 400
    var warmup = 3
    var socketPath = DockerEndpoint.defaultSocketPath
    var image = "ptest-iso-test/busybox:latest"
    /// Take the daemon from `DOCKER_HOST`, the TLS variables or the Docker context, as `docker` does, instead of `socketPath`.
    var endpointFromEnvironment = false

    /// What every method reads its endpoint from.
    var dockerEnvironment: [String: String] {
        endpointFromEnvironment ? ProcessInfo.processInfo.environment : ["DOCKER_HOST": "unix://\(socketPath)"]
    }

    static let usage = """
        usage: manager-exec-bench [--iterations N] [--warmup N] [--socket PATH | --from-environment] [--image REF]

        Times `echo hi` in one running container through IsolationManager.run (the Docker
        engine's own kept client), through a DockerClient kept by the bench, and through a
        client connected per exec (what the engine did before), interleaved.

          --iterations N   measured iterations per method (default 400: an exec varies by ±30 %, and fewer leave the medians a few percent apart by chance)
          --warmup N       uncounted warm-up rounds first (default 3)
          --socket PATH    the daemon's socket (default /var/run/docker.sock)
          --from-environment
                           the daemon docker would use: DOCKER_HOST, DOCKER_TLS_VERIFY,
                           DOCKER_CERT_PATH or the current context (a TCP or TLS daemon)
          --image REF      image to run (default ptest-iso-test/busybox:latest)
        """

    /// `nil` when `--help` was asked for.
    static func parse(_ arguments: [String]) throws -> ManagerExecOptions? {
        var options = ManagerExecOptions()
        var reader = ArgumentReader(arguments)
        while let argument = reader.next() {
            switch argument {
            case "-h", "--help": return nil
            case "--iterations": options.iterations = try reader.count(argument, minimum: 1)
            case "--warmup": options.warmup = try reader.count(argument, minimum: 0)
            case "--socket": options.socketPath = try reader.value(argument)
            case "--image": options.image = try reader.value(argument)
            case "--from-environment": options.endpointFromEnvironment = true
            default: throw UsageError("unknown argument '\(argument)'")
            }
        }
        return options
    }
}
