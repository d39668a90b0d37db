import BenchSupport
import DockerAPI

/// Command-line settings, parsed by hand like the other benches'.
struct ManagerExecOptions: Sendable, BenchCommandLine {
    var iterations = 30
    var warmup = 3
    var socketPath = DockerEndpoint.defaultSocketPath
    var image = "ptest-iso-test/busybox:latest"

    static let usage = """
        usage: manager-exec-bench [--iterations N] [--warmup N] [--socket PATH] [--image REF]

        Times `echo hi` in one running container through IsolationManager.run (the Docker
        engine's own kept client) and through a DockerClient kept by the bench, interleaved.

          --iterations N   measured iterations per method (default 30)
          --warmup N       uncounted warm-up rounds first (default 3)
          --socket PATH    the daemon's socket (default /var/run/docker.sock)
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
            default: throw UsageError("unknown argument '\(argument)'")
            }
        }
        return options
    }
}
