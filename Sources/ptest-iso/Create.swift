import ArgumentParser
import Foundation
import IsolationCore

struct Create: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create an environment and print its id.",
        discussion: """
            The spec comes from the flags, or whole from --spec (a JSON object with the fields of \
            `inspect --json`'s "spec", e.g. {"python": "3.12", "requirements": ["requests"]}).

            The environment outlives this command: it belongs to the session "ptest-iso-cli" and \
            is removed by `ptest-iso rm`, by `ptest-iso cleanup --expired` once its TTL (default \
            4 hours) has passed, or by `ptest-iso cleanup --session ptest-iso-cli`. With --keep it \
            has no expiry for `cleanup --expired` and stays until removed by hand.

            With --reuse, a live environment of the same spec made earlier (by a test run or this \
            command) is printed instead and its TTL renewed; only when there is none is one made. \
            It belongs to the session "ptest-iso.reuse" and shows under `ptest-iso ls --reused`.

            Progress goes to stderr; stdout holds only the id (or the record, with --json).

            Examples:
              ptest-iso create
              ptest-iso create --python 3.12 -r requests==2.32.3 -r pytest --name api-tests
              ptest-iso create -r mypkg==1.0 --find-links ./wheels --offline --env MODE=test
              ptest-iso create --image ptest-iso-test/python:bookworm --ttl 600
              ptest-iso create --image ptest-iso-test/python:bookworm -r mypkg --find-links ./wheels --offline
              ptest-iso create --image my-http-service:1 --mode service
              ptest-iso create --image my-http-service:1 -p 8080 --memory 512m --cpus 1.5 -v data:/data
              ptest-iso create --build ./ctx --build-arg VERSION=2 --command "python -m http.server 8000" -p 8000
              echo '{"python": ">=3.10", "with_pip": true}' | ptest-iso create --spec - --keep
              ptest-iso create --image my-db:1 --mode service --reuse --ttl 28800
              ptest-iso create --compose docker-compose.yml --compose-service web
              ptest-iso create --service postgres --set password=secret
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var progress: ProgressOptions

    @Option(help: "A JSON spec file, or - for stdin (not with the other spec flags).")
    var spec: String?

    @Option(
        help: ArgumentHelp(
            "A ready-made service: postgres, redis or http (`ptest-iso services` lists their options).",
            discussion: "Prints the id, then the URL a test connects to (a DSN for postgres).", valueName: "postgres|redis|http"))
    var service: String?

    @Option(name: .customLong("set"), help: "With --service: an option as NAME=VALUE, e.g. --set password=secret; repeat for more.")
    var serviceOptions: [String] = []

    @Option(help: "A compose file: the environment is its stack (docker); repeat to merge files as docker compose -f does.")
    var compose: [String] = []

    @Option(help: "With --compose: a service to start (with what it depends on); repeat for more (default: all).")
    var composeService: [String] = []

    @Option(help: "The engine: virtualenv or docker (default: chosen from the spec).")
    var engine: String?

    @Option(help: "The interpreter: a path, a version (3.12) or a range (>=3.10,<3.13).")
    var python: String?

    @Option(help: "A container image (implies the docker engine).")
    var image: String?

    @Option(
        help: ArgumentHelp(
            "What a docker container runs: service (the image's own command) or sandbox (idle, for exec).",
            discussion: "Default: service when the spec publishes ports or waits for readiness, else sandbox.",
            valueName: "service|sandbox"))
    var mode: String?

    @Option(name: [.customShort("r"), .long], help: "A requirement to install; repeat for more.")
    var requirement: [String] = []

    @OptionGroup var sources: PackageSourceOptions

    @OptionGroup(title: "Container options (docker)") var container: ContainerFlags

    @Flag(help: "Put pip into the environment.")
    var withPip = false

    @Option(name: .customLong("env"), help: "A variable for every command, as KEY=VALUE; repeat for more.")
    var variables: [String] = []

    @Option(help: "A human-readable name.")
    var name: String?

    @Option(parsing: .unconditional, help: "Seconds until `cleanup --expired` may remove it (default: 14400).")
    var ttl: Double?

    @Flag(help: "Keep it until `rm`, whatever its TTL.")
    var keep = false

    @Flag(help: "Hand out the live environment of the same spec if there is one (its TTL renewed), else make one that later runs reuse.")
    var reuse = false

    @Option(parsing: .unconditional, help: "Give up after this many seconds.")
    var timeout: Double?

    func validate() throws {
        let flags = [
            ("--engine", engine != nil), ("--python", python != nil), ("--image", image != nil), ("--mode", mode != nil),
            ("--requirement", !requirement.isEmpty), ("--name", name != nil), ("--find-links", !sources.findLinks.isEmpty),
            ("--index-url", sources.indexURL != nil),
            ("--offline", sources.offline), ("--with-pip", withPip), ("--env", !variables.isEmpty),
            ("--compose", !compose.isEmpty), ("--compose-service", !composeService.isEmpty), ("--service", service != nil),
        ]
        try SpecOption.checkAlone(spec, besides: flags + container.given)
        try container.check(engine: engine)
        _ = try parseVariables(variables)
        if let mode, DockerMode(rawValue: mode) == nil {
            throw ValidationError("--mode '\(mode)' must be one of \(DockerMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let service {
            // The service is its image's own process: flags for what it would install or which
            // engine would run it are refused, not silently dropped.
            let others =
                [
                    ("--image", image != nil), ("--mode", mode != nil), ("--compose", !compose.isEmpty), ("--python", python != nil),
                    ("--engine", engine != nil), ("--requirement", !requirement.isEmpty), ("--with-pip", withPip),
                    ("--find-links", !sources.findLinks.isEmpty), ("--index-url", sources.indexURL != nil), ("--offline", sources.offline),
                ] + container.given
            if let other = others.first(where: \.1) {
                throw ValidationError(
                    "--service and \(other.0) conflict: the service decides its image and what runs (change the image with --set image=...)"
                )
            }
            guard ReadyMadeService(rawValue: service) != nil else {
                throw ValidationError("--service '\(service)' must be one of \(ReadyMadeService.names)")
            }
            _ = try readyMadeService()?.checkedSpec()
        } else if !serviceOptions.isEmpty {
            throw ValidationError("--set needs --service NAME")
        }
        if !compose.isEmpty, let flag = container.given.first(where: \.given) {
            throw ValidationError("--compose and \(flag.name) conflict: a stack's containers come from its compose files; set it there")
        }
        if compose.isEmpty, !composeService.isEmpty {
            throw ValidationError("--compose-service needs --compose FILE")
        }
        if keep, ttl != nil {
            throw ValidationError("--keep and --ttl conflict; a kept environment has no expiry")
        }
        try asValidation {
            _ = try SchemaLimits.timeout(timeout, field: "--timeout")
            try SchemaLimits.checkSeconds(ttl, "--ttl", max: SchemaLimits.maxTTLSeconds)
        }
    }

    func run() async throws {
        var environmentSpec = try readSpec()
        // The CLI's session ends with this process: a session-scoped policy would let a reaper
        // take the environment at once, so it lives by TTL or is kept.
        environmentSpec.cleanup = keep || environmentSpec.cleanup == .keep ? .keep : .afterTTL
        if let ttl { environmentSpec.ttlSeconds = ttl }
        if reuse { environmentSpec.reuse = true }
        if let environment = try await state.withRemote({ try await createRemotely(environmentSpec, on: $0) }) {
            return try show(environment)
        }
        let manager = try await state.manager()
        let pending = environmentSpec
        let deadline = try SchemaLimits.timeout(timeout, field: "--timeout")
        let environment = try await Progress.showing(manager, "creating", quiet: progress.quiet) {
            try await interruptible { try await manager.create(pending, timeout: deadline) }
        }
        try show(environment)
    }

    /// The environment made on a server (its own progress is not streamed: the call answers once ready).
    private func createRemotely(_ spec: EnvironmentSpec, on server: RemoteServer) async throws -> Environment {
        let encoded = try JSONSerialization.jsonObject(with: SchemaJSON.encoder().encode(spec))
        var request: [String: Any] = ["spec": encoded]
        if let timeout { request["timeout_seconds"] = timeout }
        return try await server.call("create", request, as: Environment.self)
    }

    private func show(_ environment: Environment) throws {
        let connection = try readyMadeService()?.definition.connection(of: environment)
        if output.json {
            guard let connection else { return try printJSON(environment) }
            return try printJSON(CreatedService(environment: environment, connection: connection))
        }
        print(environment.id)
        if let connection { print(connection.url) }
    }

    /// `--service NAME` with its `--set` options and `--env` variables; `nil` without `--service`.
    private func readyMadeService() throws -> ServiceFlags? {
        guard let service else { return nil }
        return try ServiceFlags(service: service, settings: serviceOptions, variables: variables)
    }

    /// `--json` for a ready-made service: the record, with the connection details beside it
    /// (`url` alone too, the field scripts read most).
    struct CreatedService: Encodable {
        var environment: Environment
        var connection: ServiceConnection

        func encode(to encoder: any Encoder) throws {
            try environment.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(connection, forKey: .connection)
            try container.encode(connection.url, forKey: .url)
        }

        enum Key: String, CodingKey { case connection, url }
    }

    private func readSpec() throws -> EnvironmentSpec {
        if let readyMade = try readyMadeService() {
            var spec = try readyMade.checkedSpec()
            spec.name = name
            return spec
        }
        guard let spec else {
            var fromFlags = EnvironmentSpec(
                engine: engine.map(EngineKind.init(rawValue:)), name: name, python: python, requirements: requirement,
                indexURL: sources.indexURL, findLinks: sources.findLinks.map { URL(fileURLWithPath: $0).path }, offline: sources.offline,
                withPip: withPip,
                environment: try parseVariables(variables), image: image, mode: mode.flatMap(DockerMode.init(rawValue:)),
                compose: compose.isEmpty
                    ? nil : ComposeSpec(files: compose.map { URL(fileURLWithPath: $0).path }, services: composeService))
            try container.apply(to: &fromFlags)
            return fromFlags
        }
        return try EnvironmentSpec.decode(json: SpecOption.read(spec))
    }
}
