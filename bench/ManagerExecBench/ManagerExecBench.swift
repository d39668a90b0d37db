import BenchSupport
import DockerAPI
import Foundation
import IsolationCore
import Synchronization

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
        /// The same exec on a client the bench keeps for the whole run: the reference. The same
        /// exec is the one the engine sends, `execStreaming`: the command under `sh`, which
        /// reports its PID so a cancelled or timed-out run kills it.
        case keptClient
        /// The same exec on a client connected and shut down around each exec, as the engine did
        /// before it kept one (its endpoint read from the environment each time, the API version pinned).
        case clientPerExec
        /// `client.exec` without a timeout on the kept client: the command run as given, no `sh`
        /// to learn its PID, so nothing could kill it. Shown for what the killable exec costs;
        /// the manager never runs a command it could not kill.
        case keptClientUnkillable

        var name: String {
            switch self {
            case .manager: "IsolationManager.run"
            case .keptClient: "kept DockerClient"
            case .clientPerExec: "client per exec (before)"
            case .keptClientUnkillable: "kept client, unkillable"
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
                    (stdout, exitCode) = try await killableExec(on: client, in: environment.location)
                case .clientPerExec:
                    var perExec = try DockerClient.Configuration.fromEnvironment(options.dockerEnvironment)
                    perExec.pinnedAPIVersion = client.apiVersion
                    (stdout, exitCode) = try await withDockerClient(perExec) {
                        try await killableExec(on: $0, in: environment.location)
                    }
                case .keptClientUnkillable:
                    let result = try await client.exec(environment.location, ExecOptions(["echo", "hi"]))
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

    /// `echo hi` as the Docker engine runs a command: `execStreaming`, its output gathered.
    private static func killableExec(on client: DockerClient, in container: String) async throws -> (Data, Int) {
        let stdout = Mutex(Data())
        let exit = try await client.execStreaming(container, ExecOptions(["echo", "hi"])) { chunk in
            if chunk.stream == .stdout { stdout.withLock { $0.append(chunk.data) } }
        }
        return (stdout.withLock { $0 }, exit.exitCode)
    }
}
