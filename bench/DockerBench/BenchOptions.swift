import BenchSupport
import DockerAPI

/// Command-line settings. Parsed by hand: the bench target depends on
/// `DockerAPI` only, and has just a handful of flags.
struct BenchOptions: Sendable, BenchCommandLine {
    var iterations = 30
    var warmup = 3
    var jsonPath: String?
    var socketPath = DockerEndpoint.defaultSocketPath
    var image = "ptest-iso-test/busybox:latest"
    var dockerPath = "docker"
    var curlPath = "curl"
    var scenarios = Scenario.allCases
    var reference = false

    static let usage = """
        usage: docker-bench [--iterations N] [--warmup N] [--json PATH] [--scenario NAME]... [--reference]
                            [--socket PATH] [--image REF] [--docker PATH] [--curl PATH]

        Times container create+start+remove and an exec round trip through DockerAPI,
        the docker CLI and raw curl --unix-socket requests (the floor), interleaved.

          --iterations N   measured iterations per scenario and method (default 30)
          --warmup N       uncounted warm-up iterations first (default 3)
          --json PATH      also write the samples and summary as JSON
          --scenario NAME  lifecycle or exec; repeat for both (default: both)
          --reference      also time hand-written HTTP over one kept-alive socket in this
                           process: the daemon's own time, to see what DockerAPI adds
          --socket PATH    the daemon's socket (default /var/run/docker.sock)
          --image REF      image to run (default ptest-iso-test/busybox:latest)
          --docker PATH    docker CLI (default: found on PATH)
          --curl PATH      curl (default: found on PATH)
        """

    /// `nil` when `--help` was asked for.
    static func parse(_ arguments: [String]) throws -> BenchOptions? {
        var options = BenchOptions()
        var chosen: [Scenario] = []
        var reader = ArgumentReader(arguments)
        while let argument = reader.next() {
            switch argument {
            case "-h", "--help": return nil
            case "--iterations": options.iterations = try reader.count(argument, minimum: 1)
            case "--warmup": options.warmup = try reader.count(argument, minimum: 0)
            case "--json": options.jsonPath = try reader.value(argument)
            case "--reference": options.reference = true
            case "--socket": options.socketPath = try reader.value(argument)
            case "--image": options.image = try reader.value(argument)
            case "--docker": options.dockerPath = try reader.value(argument)
            case "--curl": options.curlPath = try reader.value(argument)
            case "--scenario":
                let name = try reader.value(argument)
                guard let scenario = Scenario(rawValue: name) else {
                    throw UsageError("unknown scenario '\(name)'; pick from \(Scenario.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                if !chosen.contains(scenario) { chosen.append(scenario) }
            default:
                throw UsageError("unknown argument '\(argument)'")
            }
        }
        if !chosen.isEmpty { options.scenarios = chosen }
        return options
    }
}
