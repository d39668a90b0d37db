import Foundation
import IsolationCore
import TestSupport
import Testing

/// ``IsolationManager/runStreaming(_:_:timeout:_:)`` on both engines, against real processes and
/// the real daemon. A command that must still be running waits for a file the test creates only
/// after it has seen the output it expects: no sleep stands in for a proof.
@Suite struct StreamingRunTests {
    static let busybox = "ptest-iso-test/busybox:latest"

    /// Waits in the working directory until the test creates `release` there.
    static let untilReleased = "while [ ! -e release ]; do sleep 0.02; done"

    func withEnvironment(_ kind: EngineKind, _ body: (IsolationManager, String) async throws -> Void) async throws {
        let home = try TestHome("stream-\(kind)")
        let manager = try await IsolationManager.open(
            configuration: .init(home: home.url, session: "stream-tests"), engines: [VirtualenvEngine(home: home.url), DockerEngine()])
        let environment = try await manager.create(kind == .docker ? EnvironmentSpec(image: Self.busybox) : EnvironmentSpec())
        #expect(environment.engine == kind)
        do {
            try await body(manager, environment.id)
        } catch {
            try? await manager.destroy(environment.id)
            throw error
        }
        try await manager.destroy(environment.id)
    }

    /// Whether `pid` is a live process (a zombie is not) where the environment runs its commands.
    func isAlive(_ pid: Int32, in manager: IsolationManager, _ id: String, _ kind: EngineKind) async throws -> Bool {
        let stat: String
        if kind == .docker {
            stat = try await manager.run(id, Command(["cat", "/proc/\(pid)/stat"])).stdoutText
        } else {
            stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        }
        // The state follows the command's name in parentheses: `123 (sleep) S ...`.
        guard let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    @Test(arguments: [EngineKind.virtualenv, .docker])
    func outputArrivesBeforeTheCommandEndsApartAndInOrder(_ kind: EngineKind) async throws {
        try await withEnvironment(kind) { manager, id in
            let script = "echo one; echo err-one >&2; \(Self.untilReleased); echo two; echo err-two >&2; exit 3"
            let events = try await manager.runStreaming(id, Command(["sh", "-c", script])) { events in
                var seen: [CommandEvent] = []
                for try await event in events {
                    seen.append(event)
                    // The command cannot end before this: it waits for the file.
                    if case .stdout(let data) = event, String(decoding: data, as: UTF8.self).contains("one") {
                        _ = try await manager.run(id, Command(["touch", "release"]))
                    }
                }
                return seen
            }
            var (stdout, stderr) = ("", "")
            for event in events.dropLast() {
                switch event {
                case .stdout(let data): stdout += String(decoding: data, as: UTF8.self)
                case .stderr(let data): stderr += String(decoding: data, as: UTF8.self)
                case .exit: Issue.record("an exit before the last event")
                }
            }
            #expect(stdout == "one\ntwo\n")
            #expect(stderr == "err-one\nerr-two\n")
            guard case .exit(let exit) = events.last else {
                Issue.record("no exit event last: \(events)")
                return
            }
            #expect(exit.exitCode == 3)
            #expect(!exit.timedOut)
            // The whole-output call is the same run, gathered.
            let whole = try await manager.run(id, Command(["sh", "-c", "echo out; echo err >&2; exit 4"]))
            #expect(whole.stdoutText == "out\n" && whole.stderrText == "err\n" && whole.exitCode == 4)
        }
    }

    @Test(arguments: [EngineKind.virtualenv, .docker])
    func aTimeoutKillsTheCommandAndEndsTheStream(_ kind: EngineKind) async throws {
        try await withEnvironment(kind) { manager, id in
            let command = Command(["sh", "-c", "echo started; sleep 300 & wait"], timeoutSeconds: 1)
            let (stdout, exit) = try await manager.runStreaming(id, command) { events in
                var stdout = ""
                var exit: CommandExit?
                for try await event in events {
                    if case .stdout(let data) = event { stdout += String(decoding: data, as: UTF8.self) }
                    if case .exit(let ended) = event { exit = ended }
                }
                return (stdout, exit)
            }
            #expect(stdout == "started\n")
            #expect(exit?.timedOut == true)
            #expect((exit?.durationSeconds ?? 300) < 60)
        }
    }

    @Test(arguments: [EngineKind.virtualenv, .docker])
    func leavingMidStreamKillsTheCommandAndItsChildren(_ kind: EngineKind) async throws {
        try await withEnvironment(kind) { manager, id in
            // The child's PID comes first; the command then waits for a release that never comes.
            let script = "sleep 300 & echo $!; \(Self.untilReleased); echo never"
            let child = try await manager.runStreaming(id, Command(["sh", "-c", script])) { events -> Int32? in
                for try await event in events {
                    if case .stdout(let data) = event {
                        return Int32(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
                    }
                }
                return nil
            }
            let pid = try #require(child)
            // The kill has been sent before runStreaming returned; the process needs a moment to be gone.
            let deadline = ContinuousClock.now + .seconds(10)
            while try await isAlive(pid, in: manager, id, kind), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await !isAlive(pid, in: manager, id, kind), "the command's child \(pid) outlived the stream")
            // The environment still takes commands.
            #expect(try await manager.run(id, Command(["true"])).exitCode == 0)
        }
    }

    @Test(arguments: [EngineKind.virtualenv, .docker])
    func cancellingTheCallerKillsTheCommand(_ kind: EngineKind) async throws {
        try await withEnvironment(kind) { manager, id in
            let (started, startedContinuation) = AsyncStream.makeStream(of: Int32.self)
            let script = "sleep 300 & echo $!; \(Self.untilReleased)"
            let run = Task {
                try await manager.runStreaming(id, Command(["sh", "-c", script])) { events in
                    for try await event in events {
                        if case .stdout(let data) = event,
                            let pid = Int32(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
                        {
                            startedContinuation.yield(pid)
                        }
                    }
                }
            }
            var iterator = started.makeAsyncIterator()
            let pid = try #require(await iterator.next())
            run.cancel()
            await #expect(throws: IsolationError.self) { try await run.value }
            let deadline = ContinuousClock.now + .seconds(10)
            while try await isAlive(pid, in: manager, id, kind), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(try await !isAlive(pid, in: manager, id, kind), "the command's child \(pid) outlived the cancellation")
        }
    }
}
