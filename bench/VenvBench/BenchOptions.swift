import BenchSupport

/// Command-line settings. Parsed by hand: a handful of flags.
struct BenchOptions: Sendable, BenchCommandLine {
    var iterations = 20
    var withPipIterations = 3
    var jsonPath: String?
    var python = "python3"
    /// Where the run's temporary directory goes (venvs, the engine's state directory, the tools' caches).
    var workdir: String?
    /// The scenarios to time (the ratios need uv).
    var scenarios = Set(Scenario.allCases)

    static let usage = """
        usage: venv-bench [--iterations N] [--with-pip-iterations N] [--json PATH] [--python PATH] [--scenario NAME]...
                          [--workdir DIR]

        Times making a venv with 3 small packages from a warm cache: the IsolationCore virtualenv
        engine (template clone, in-process) against `uv venv` + `uv pip install`, `python -m venv`
        + pip, and `virtualenv` + pip; and a snapshot restore. Methods are interleaved.

          --iterations N           measured iterations per scenario (default 20)
          --with-pip-iterations N  iterations of the slow `python -m venv` with ensurepip row
                                   (default 3; 0 leaves the row out)
          --json PATH              also write the samples and summary as JSON
          --python PATH            the interpreter the baselines use (default: the real
                                   executable behind `python3` on PATH)
          --workdir DIR            where the run's temporary directory goes (default: $TMPDIR
                                   or /tmp); everything in it is removed at the end
          --scenario NAME          time only these (repeatable; without uv there are no ratios):
                                   engine, restore, uv, venv, virtualenv, ensurepip (default: all)
        """

    /// `nil` when `--help` was asked for.
    static func parse(_ arguments: [String]) throws -> BenchOptions? {
        var options = BenchOptions()
        var chosen: Set<Scenario> = []
        var reader = ArgumentReader(arguments)
        while let argument = reader.next() {
            switch argument {
            case "-h", "--help": return nil
            case "--iterations": options.iterations = try reader.count(argument, minimum: 1)
            case "--with-pip-iterations": options.withPipIterations = try reader.count(argument, minimum: 0)
            case "--json": options.jsonPath = try reader.value(argument)
            case "--python": options.python = try reader.value(argument)
            case "--workdir": options.workdir = try reader.value(argument)
            case "--scenario":
                let name = try reader.value(argument)
                guard let scenario = Scenario(flag: name) else {
                    throw UsageError("--scenario takes engine, restore, uv, venv, virtualenv or ensurepip, not '\(name)'")
                }
                chosen.insert(scenario)
            default: throw UsageError("unknown argument '\(argument)'")
            }
        }
        if !chosen.isEmpty { options.scenarios = chosen }
        return options
    }
}
