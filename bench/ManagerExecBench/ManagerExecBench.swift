import BenchSupport
import DockerAPI
import Foundation
import IsolationCore

/// `manager-exec-bench`: an exec through `IsolationManager.run` against the same exec
/// through a kept `DockerClient`, in one run, interleaved (issue 10, part 3). See bench/README.md.
@main
struct ManagerExecBench {
    static func main() async {
        await benchMain("manager-exec-bench", run)
    }

    static func run(_ options: ManagerExecOptions) async throws {
        // A private state directory and session, so the bench touches no one's records.
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("manager-exec-bench-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: home) }
        let session = "manager-exec-bench-\(UUID().uuidString.prefix(8).lowercased())"
        let manager = try IsolationManager(
            configuration: .init(home: home, session: session),
            engines: [
                DockerEngine(
                    environment: ["DOCKER_HOST": "unix://\(options.socketPath)"],
                    images: ImageManager(home: home, maxBytes: ImageManager.defaultMaxBytes))
            ])
        let client = try await DockerClient.connect(.init(endpoint: .unixSocket(options.socketPath)))

        // Ctrl-C or SIGTERM stops the measuring, not the cleanup below.
        let (outcome, _) = await measuringUntilInterrupted {
            try await measure(options, manager: manager, client: client)
        }
        var cleanupError: (any Error)?
        do {
            let destroyed = try await manager.destroySession(session)
            diagnostic("manager-exec-bench: destroyed \(destroyed.count) environment(s) of session \(session)")
        } catch {
            cleanupError = error
            diagnostic("manager-exec-bench: cleanup failed (\(error)); remove leftovers with: ptest-iso cleanup --session \(session)")
        }
        await manager.shutdown()
        try? await client.shutdown()

        let report = try outcome.get()
        if let cleanupError { throw cleanupError }
        print(report.table)
    }

    private static func measure(_ options: ManagerExecOptions, manager: IsolationManager, client: DockerClient) async throws
        -> ManagerExecReport
    {
        // The container both methods exec in; made outside the timing.
        let environment = try await manager.create(EnvironmentSpec(image: options.image))
        let clock = ContinuousClock()
        var samples: [[Duration]] = [[], []]
        let rounds = options.warmup + options.iterations
        for round in 0..<rounds {
            try Task.checkCancellation()
            // Round r starts with method r mod 2, so neither always follows the other.
            for method in round.isMultiple(of: 2) ? [0, 1] : [1, 0] {
                let start = clock.now
                let (stdout, exitCode): (Data, Int)
                if method == 0 {
                    let result = try await manager.run(environment.id, Command(["echo", "hi"]))
                    (stdout, exitCode) = (result.stdout, Int(result.exitCode))
                } else {
                    let result = try await client.exec(environment.location, ExecOptions(["echo", "hi"]))
                    (stdout, exitCode) = (result.stdout, result.exitCode)
                }
                let elapsed = clock.now - start
                guard stdout == Data("hi\n".utf8), exitCode == 0 else {
                    let name = method == 0 ? "IsolationManager.run" : "kept DockerClient"
                    throw BenchFailure(
                        "\(name), round \(round + 1): expected stdout \"hi\\n\" and exit 0, got \(String(decoding: stdout, as: UTF8.self).debugDescription) and \(exitCode)"
                    )
                }
                if round >= options.warmup { samples[method].append(elapsed) }
            }
        }
        let version = try await client.version()
        return ManagerExecReport(
            daemon: "\(version.version) (API \(client.apiVersion)) on unix://\(options.socketPath)",
            iterations: options.iterations, warmup: options.warmup, manager: samples[0], client: samples[1])
    }
}
