import ArgumentParser
import Foundation
import IsolationCore

struct Job: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "job",
        abstract: "Run a one-off container to completion; its exit code becomes ptest-iso's.",
        discussion: """
            The container runs the command in --image, or in the image built from --build (through \
            the image cache), with no network unless --network names one. It is removed when it \
            ends, or kept --ttl seconds for inspection. A non-zero exit is retried --retries \
            times, waiting --backoff seconds and twice as long each time; past --deadline (the \
            whole job) the container is killed and ptest-iso exits 6. The last attempt's stdout \
            and stderr are written to ptest-iso's once it has finished; with --json, the result. \
            The job may also come whole from --spec (a JSON object with the fields of a job, \
            e.g. {"image": "busybox", "command": ["true"], "retries": 2}).

            Examples:
              ptest-iso job --image ptest-iso-test/busybox:latest -- sh -c 'echo hello'
              ptest-iso job --build ./ctx --env MODE=ci --retries 2 --deadline 600 -- make test
              ptest-iso job --image python:3.12-slim --ttl 3600 --json -- python -c 'import this'
              echo '{"image": "busybox", "command": ["true"]}' | ptest-iso job --spec -
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var progress: ProgressOptions

    @Option(help: "A JSON job file, or - for stdin (not with the other job flags).")
    var spec: String?

    @Option(help: "The image to run.")
    var image: String?

    @Option(help: "A build context directory to build the image from (not with --image).")
    var build: String?

    @Option(help: "The Dockerfile, relative to the build context.")
    var dockerfile = "Dockerfile"

    @Option(name: .customLong("env"), help: "A variable for the command, as KEY=VALUE; repeat for more.")
    var variables: [String] = []

    @Option(help: "The command's working directory (default: the image's).")
    var workdir: String?

    @Option(help: "The user to run as: name, uid or uid:gid.")
    var user: String?

    @Option(help: "An existing network to join, such as bridge (default: none).")
    var network: String?

    @Option(help: "Memory limit, e.g. 512m or 2Gi.")
    var memory: String?

    @Option(help: "CPU limit, e.g. 1.5 or 1500m.")
    var cpus: String?

    @Option(parsing: .unconditional, help: "How many times a non-zero exit is retried.")
    var retries: Int?

    @Option(parsing: .unconditional, help: "Seconds before the first retry (default 1); each further retry waits twice as long.")
    var backoff: Double?

    @Option(parsing: .unconditional, help: "Seconds the whole job may take (default: 24 hours).")
    var deadline: Double?

    @Option(parsing: .unconditional, help: "Seconds the finished container is kept for inspection (default 0: removed at once).")
    var ttl: Double?

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    func validate() throws {
        let flags = [
            ("--image", image != nil), ("--build", build != nil), ("--env", !variables.isEmpty), ("--workdir", workdir != nil),
            ("--user", user != nil), ("--network", network != nil), ("--memory", memory != nil), ("--cpus", cpus != nil),
            ("--retries", retries != nil), ("--backoff", backoff != nil), ("--deadline", deadline != nil), ("--ttl", ttl != nil),
            ("a command after --", !command.isEmpty),
        ]
        try SpecOption.checkAlone(spec, besides: flags)
        if spec != nil { return }
        if image != nil, build != nil { throw ValidationError("--image and --build conflict; give one of them") }
        if image == nil, build == nil { throw ValidationError("give --image or --build (or --spec)") }
        if command.isEmpty { throw ValidationError("give the command after --, e.g. ptest-iso job --image busybox -- echo hello") }
        _ = try parseVariables(variables)
    }

    func run() async throws {
        let job = try readSpec()
        let manager = try await state.manager()
        // Its stderr is the job's: progress only as a status line on a terminal, cleared before the output.
        let result = try await Progress.showing(manager, "running job", onlyOnTerminal: true, quiet: progress.quiet) {
            try await interruptible { try await manager.runJob(job) }
        }
        if output.json {
            try printJSON(result)
        } else {
            StandardStream.write(Data(result.stdout.utf8), to: .standardOutput)
            StandardStream.write(Data(result.stderr.utf8), to: .standardError)
        }
        throw ExitCode(result.exitCode)
    }

    private func readSpec() throws -> JobSpec {
        guard let spec else {
            let limits = memory == nil && cpus == nil ? nil : ResourceLimits(memory: memory, cpus: cpus)
            return JobSpec(
                image: image, build: build.map { BuildSpec(context: URL(fileURLWithPath: $0).path, dockerfile: dockerfile) },
                command: command, environment: try parseVariables(variables), workdir: workdir, user: user, resources: limits,
                network: network, retries: retries ?? 0, backoffSeconds: backoff ?? 1, deadlineSeconds: deadline, ttlSeconds: ttl ?? 0)
        }
        return try JobSpec.decode(json: SpecOption.read(spec))
    }
}
