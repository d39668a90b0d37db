import Foundation
import IsolationCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `logs` and `stats` of a Docker environment, each step a separate `ptest-iso` process.
@Suite(.serialized) struct DockerCommandsTests {
    static let image = "ptest-iso-test/busybox:latest"

    func create(_ state: [String]) throws -> String {
        let created = try CLI.run(["create", "--image", Self.image] + state)
        #expect(created.status == 0, "\(created.output)")
        return created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes to the container's main process, whose output is the log (exec output is not).
    func log(_ line: String, stream: Int = 1, in id: String, _ state: [String]) throws {
        let ran = try CLI.run(["run", id] + state + ["--", "sh", "-c", "echo \(line) > /proc/1/fd/\(stream)"])
        #expect(ran.status == 0, "\(ran.output)")
    }

    @Test func logsAndStatsOfAContainer() throws {
        let home = try TestHome("cli-docker")
        let state = ["--home", home.url.path]
        let id = try create(state)
        defer { _ = try? CLI.run(["rm", "--force", id] + state) }

        try log("first", in: id, state)
        try log("second", stream: 2, in: id, state)
        let logs = try CLI.run(["logs", id] + state)
        #expect(logs.status == 0, "\(logs.output)")
        #expect(logs.stdout == "first\n" && logs.stderr == "second\n")
        let tail = try CLI.run(["logs", id, "--tail", "1", "--json"] + state)
        #expect(tail.stdout == #"{"stream":"stderr","text":"second\n"}"# + "\n", "\(tail.output)")

        let stats = try CLI.run(["stats", id, "--json"] + state)
        #expect(stats.status == 0, "\(stats.output)")
        let sample = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any]
        #expect((sample?["pids"] as? Int ?? 0) >= 1, "\(stats.stdout)")
        let table = try CLI.run(["stats", id] + state)
        #expect(table.stdout.hasPrefix("CPU"), "\(table.output)")
    }

    @Test func aContainerSnapshotRestoresInAnotherProcess() throws {
        let home = try TestHome("cli-docker-snap")
        let state = ["--home", home.url.path]
        let id = try create(state)
        #expect(try CLI.run(["run", id] + state + ["--", "sh", "-c", "echo kept > /work/file"]).status == 0)

        let snapshot = try CLI.run(["snapshot", "create", id, "--name", "container-snap"] + state)
        #expect(snapshot.status == 0, "\(snapshot.output)")
        let restored = try CLI.run(["snapshot", "restore", "container-snap", "--keep", "--json"] + state)
        #expect(restored.status == 0, "\(restored.output)")
        let environment = try JSONDecoder.seconds.decode(Environment.self, from: Data(restored.stdout.utf8))
        #expect(environment.engine == .docker && environment.spec.cleanup == .keep)
        let read = try CLI.run(["run", environment.id] + state + ["--", "cat", "/work/file"])
        #expect(read.stdout == "kept\n", "\(read.output)")

        // Exported to one file, removed, imported in another process, restored: the file is still there.
        let archive = home.url.appendingPathComponent("c.tar").path
        let exported = try CLI.run(["snapshot", "export", "container-snap", archive] + state)
        #expect(exported.status == 0, "\(exported.output)")
        #expect(try CLI.run(["rm", id, environment.id] + state).status == 0)
        #expect(try CLI.run(["snapshot", "rm", "container-snap"] + state).status == 0)
        let imported = try CLI.run(["snapshot", "import", archive, "--json"] + state)
        #expect(imported.status == 0, "\(imported.output)")
        let snapshot2 = try JSONDecoder.seconds.decode(Snapshot.self, from: Data(imported.stdout.utf8))
        let again = try CLI.run(["snapshot", "restore", snapshot2.name, "--json"] + state)
        #expect(again.status == 0, "\(again.output)")
        let back = try JSONDecoder.seconds.decode(Environment.self, from: Data(again.stdout.utf8))
        #expect(try CLI.run(["run", back.id] + state + ["--", "cat", "/work/file"]).stdout == "kept\n")
        #expect(try CLI.run(["rm", back.id] + state).status == 0)
        #expect(try CLI.run(["snapshot", "rm", snapshot2.name] + state).status == 0)
    }

    /// `--mode` picks what the container runs; requirements install from flags at creation.
    @Test func modeAndRequirementsComeFromFlags() throws {
        let home = try TestHome("cli-docker-mode")
        let state = ["--home", home.url.path]
        let wheels = home.url.appendingPathComponent("wheels")
        try Wheels.make("ptiso_cli_docker", "1.0.0", in: wheels)
        let created = try CLI.run(
            [
                "create", "--image", "ptest-iso-test/python:bookworm", "--mode", "sandbox", "-r", "ptiso_cli_docker", "--find-links",
                wheels.path, "--offline", "--json",
            ] + state)
        #expect(created.status == 0, "\(created.output)")
        let environment = try JSONDecoder.seconds.decode(Environment.self, from: Data(created.stdout.utf8))
        defer { _ = try? CLI.run(["rm", "--force", environment.id] + state) }
        #expect(environment.spec.mode == .sandbox && environment.details["mode"] == "sandbox")
        let imported = try CLI.run(
            ["run", environment.id] + state + ["--", "python3", "-c", "import ptiso_cli_docker; print(ptiso_cli_docker.VERSION)"])
        #expect(imported.stdout == "1.0.0\n", "\(imported.output)")
        let inspected = try CLI.run(["inspect", environment.id] + state)
        #expect(inspected.stdout.contains("details.mode"), "\(inspected.output)")

        let unknown = try CLI.run(["create", "--image", Self.image, "--mode", "daemon"] + state)
        #expect(unknown.status == 64 && unknown.stderr.contains("--mode 'daemon' must be one of service, sandbox"), "\(unknown.output)")
        let refused = try CLI.run(
            ["create", "--spec", "-"] + state, stdin: Data(#"{"image": "x", "requirements": ["y"], "network": "none"}"#.utf8))
        #expect(refused.status != 0 && refused.stderr.contains("network: \"none\""), "\(refused.output)")
    }

    @Test func followingEndsWhenTheEnvironmentIsRemoved() throws {
        let home = try TestHome("cli-follow")
        let state = ["--home", home.url.path]
        let id = try create(state)
        try log("before", in: id, state)

        let follower = try CLI.Running(["logs", id, "--follow"] + state)
        #expect(follower.waitForOutput(containing: "before\n"))
        try log("during", in: id, state)
        #expect(follower.waitForOutput(containing: "during\n"))
        #expect(try CLI.run(["rm", "--force", id] + state).status == 0)
        #expect(follower.wait() == 0)
    }

    @Test func followingEndsOnInterrupt() throws {
        let home = try TestHome("cli-interrupt")
        let state = ["--home", home.url.path]
        let id = try create(state)
        defer { _ = try? CLI.run(["rm", "--force", id] + state) }
        try log("ready", in: id, state)

        let follower = try CLI.Running(["logs", id, "--follow"] + state)
        #expect(follower.waitForOutput(containing: "ready\n"))
        kill(follower.process.processIdentifier, SIGINT)
        #expect(follower.wait() == 130)
    }

    /// A job's output and exit code become ptest-iso's; `--json` gives the record; `--spec` the whole job.
    @Test func aJobRunsToCompletion() throws {
        let home = try TestHome("cli-job")
        let state = ["--home", home.url.path]
        let ran = try CLI.run(
            ["job", "--image", Self.image, "--env", "WORD=hi"] + state + ["--", "sh", "-c", "echo $WORD; echo err >&2; exit 3"])
        #expect(ran.status == 3, "\(ran.output)")
        #expect(ran.stdout == "hi\n" && ran.stderr == "err\n", "\(ran.output)")

        let recorded = try CLI.run(["job", "--image", Self.image, "--ttl", "600", "--json"] + state + ["--", "true"])
        #expect(recorded.status == 0, "\(recorded.output)")
        let result = try JSONDecoder.seconds.decode(JobResult.self, from: Data(recorded.stdout.utf8))
        #expect(result.attempts == 1 && result.exitCode == 0)
        let kept = try #require(result.container, "a --ttl keeps the container")
        #expect(result.expiresAt != nil)
        let cleaned = try CLI.run(["cleanup", "--session", "ptest-iso-cli", "--json"] + state)
        #expect(cleaned.status == 0 && cleaned.stdout.contains(kept), "\(cleaned.output)")

        let spec = #"{"image": "\#(Self.image)", "command": ["sh", "-c", "exit 4"], "retries": 1, "backoff_seconds": 0}"#
        let fromSpec = try CLI.run(["job", "--spec", "-", "--json"] + state, stdin: Data(spec.utf8))
        #expect(fromSpec.status == 4, "\(fromSpec.output)")
        #expect(try JSONDecoder.seconds.decode(JobResult.self, from: Data(fromSpec.stdout.utf8)).attempts == 2)
    }

    @Test func aVirtualenvHasNoLogs() throws {
        let home = try TestHome("cli-nologs")
        let state = ["--home", home.url.path]
        let id = try CLI.run(["create"] + state).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        defer { _ = try? CLI.run(["rm", "--force", id] + state) }
        for command in ["logs", "stats"] {
            let refused = try CLI.run([command, id] + state)
            #expect(refused.status == 4, "\(refused.output)")
            #expect(refused.stderr.hasPrefix("Error: ") && refused.stderr.contains("virtualenv engine, which has no logs"))
        }
    }
}
