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
        let manager = try await IsolationManager.open(
            configuration: .init(home: home, session: session),
            engines: [
                DockerEngine(
                    environment: options.dockerEnvironment,
                    images: ImageManager(home: home, maxBytes: ImageManager.defaultMaxBytes))
            ])
        let client = try await DockerClient.connect(try .fromEnvironment(options.dockerEnvironment))

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

    /// The ways to run the exec, timed in turn.
    enum Method: Int, CaseIterable {
        /// `IsolationManager.run`: the Docker engine's own kept client.
        case manager
        /// `client.exec` on a client the bench keeps for the whole run: the reference.
        case keptClient
        /// A client connected and shut down around each exec, as the engine did before it kept
        /// one (its endpoint read from the environment each time, the API version pinned).
        case clientPerExec

        var name: String {
            switch self {
            case .manager: "IsolationManager.run"
            case .keptClient: "kept DockerClient"
            case .clientPerExec: "client per exec (before)"
            }
        }
    }

    private static func measure(_ options: ManagerExecOptions, manager: IsolationManager, client: DockerClient) async throws
        -> ManagerExecReport
    {
        // The container every method execs in; made outside the timing.
        let environment = try await manager.create(EnvironmentSpec(image: options.image))

        let clock = ContinuousClock()
        var samples: [Method: [Duration]] = [:]
        let rounds = options.warmup + options.iterations
        let methods = Method.allCases
        for round in 0..<rounds {
            try Task.checkCancellation()
            // Round r starts with method r mod 3, so none always follows the same one.
            let shift = round % methods.count
            for method in methods[shift...] + methods[..<shift] {
                let start = clock.now
                let (stdout, exitCode): (Data, Int)
                switch method {
                case .manager:
                    let result = try await manager.run(environment.id, Command(["echo", "hi"]))
                    (stdout, exitCode) = (result.stdout, Int(result.exitCode))
                case .keptClient:
                    let result = try await client.exec(environment.location, ExecOptions(["echo", "hi"]))
                    (stdout, exitCode) = (result.stdout, result.exitCode)
                case .clientPerExec:
                    var perExec = try DockerClient.Configuration.fromEnvironment(options.dockerEnvironment)
                    perExec.pinnedAPIVersion = client.apiVersion
                    let result = try await withDockerClient(perExec) {
                        try await $0.exec(environment.location, ExecOptions(["echo", "hi"]))
                    }
                    (stdout, exitCode) = (result.stdout, result.exitCode)
                }
                let elapsed = clock.now - start
                guard stdout == Data("hi\n".utf8), exitCode == 0 else {
                    throw BenchFailure(
                        "\(method.name), round \(round + 1): expected stdout \"hi\\n\" and exit 0, got \(String(decoding: stdout, as: UTF8.self).debugDescription) and \(exitCode)"
                    )
                }
                if round >= options.warmup { samples[method, default: []].append(elapsed) }
            }
        }
        let version = try await client.version()
        return ManagerExecReport(
            daemon: "\(version.version) (API \(client.apiVersion)) on \(client.configuration.endpoint)",
            iterations: options.iterations, warmup: options.warmup, samples: samples)
    }
}
