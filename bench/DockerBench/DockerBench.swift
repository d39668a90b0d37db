import BenchSupport
import Dispatch
import DockerAPI
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `docker-bench`: DockerAPI against the docker CLI and a raw curl floor,
/// in one run on one daemon. See bench/README.md.
@main
struct DockerBench {
    static func main() async {
        await benchMain("docker-bench", run)
    }

    static func run(_ options: BenchOptions) async throws {
        let docker = try ChildProcess(options.dockerPath)
        let curl = try ChildProcess(options.curlPath)
        let target = BenchTarget(image: options.image, runID: UUID().uuidString.lowercased())
        let client = try await DockerClient.connect(.init(endpoint: .unixSocket(options.socketPath)))

        // Ctrl-C or SIGTERM stops the measuring, not the cleanup below.
        let (outcome, interrupted) = await measuringUntilInterrupted {
            try await measure(options, client: client, docker: docker, curl: curl, target: target)
        }

        var cleanupError: (any Error)?
        do {
            let removed = try await removeBenchContainers(client, target: target)
            diagnostic("docker-bench: removed \(removed) container(s) labelled \(target.runFilter)")
        } catch {
            cleanupError = error
            diagnostic(
                "docker-bench: cleanup failed (\(error)); remove leftovers with: docker rm -f $(docker ps -aq --filter label=\(target.runFilter))"
            )
        }
        try? await client.shutdown()

        let report = try outcome.get()
        if let cleanupError { throw cleanupError }
        print(report.table)
        if let path = options.jsonPath {
            try report.write(to: path)
            diagnostic("docker-bench: wrote \(path)")
        }
    }

    private static func measure(
        _ options: BenchOptions, client: DockerClient, docker: ChildProcess, curl: ChildProcess, target: BenchTarget
    ) async throws -> BenchReport {
        let version = try await client.version()
        let floor = try await CurlFloorMethod.connect(curl: curl, socketPath: options.socketPath)
        var methods: [any BenchMethod] = [
            DockerAPIMethod(client: client), CLIMethod(docker: docker, socketPath: options.socketPath), floor,
        ]
        if options.reference {
            methods.append(
                RawReferenceMethod(connection: RawHTTPConnection(socketPath: options.socketPath), versionPrefix: floor.versionPrefix))
        }
        let runner = BenchRunner(
            methods: methods,
            iterations: options.iterations,
            warmup: options.warmup
        )
        var results: [BenchReport.ScenarioResult] = []
        for scenario in options.scenarios {
            switch scenario {
            case .lifecycle:
                let samples = try await runner.measure(.lifecycle) { try await $0.lifecycle(target) }
                results.append(.init(scenario: .lifecycle, samples: samples.mapValues { $0.map(\.elapsed) }, repeatedInspects: [:]))
            case .exec:
                // The container every method execs in; made outside the timing, removed by the cleanup if we fail.
                let container = try await client.createContainer(target.containerSpec).id
                try await client.startContainer(container)
                let samples = try await runner.measure(.exec) { method in
                    let outcome = try await method.execEcho(in: container)
                    guard outcome.stdout == "hi\n", outcome.exitCode == 0 else {
                        throw BenchFailure(
                            "expected stdout \"hi\\n\" and exit 0, got \(outcome.stdout.debugDescription) and \(outcome.exitCode)")
                    }
                    return outcome
                }
                let repeated = samples.compactMapValues { runs in
                    runs.contains { $0.result.inspects != nil } ? runs.filter { ($0.result.inspects ?? 1) > 1 }.count : nil
                }
                results.append(.init(scenario: .exec, samples: samples.mapValues { $0.map(\.elapsed) }, repeatedInspects: repeated))
                try await client.removeContainer(container, force: true)
            }
        }
        return BenchReport(
            date: Date(),
            host: ProcessInfo.processInfo.hostName,
            processors: ProcessInfo.processInfo.activeProcessorCount,
            daemon: .init(endpoint: "unix://\(options.socketPath)", serverVersion: version.version, apiVersion: "\(client.apiVersion)"),
            iterations: options.iterations,
            warmup: options.warmup,
            scenarios: results
        )
    }
}
