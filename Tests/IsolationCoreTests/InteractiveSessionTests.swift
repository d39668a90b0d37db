import Foundation
import IsolationCore
import TestSupport
import Testing

/// ``IsolationManager/interactive(_:_:size:_:)`` on both engines: a real terminal (a TTY exec,
/// a pseudo-terminal), real processes. Each step waits for the output that proves the one
/// before it; nothing waits on time.
@Suite struct InteractiveSessionTests {
    static let busybox = "ptest-iso-test/busybox:latest"

    func withEnvironment(_ kind: EngineKind, _ body: (IsolationManager, String) async throws -> Void) async throws {
        let home = try TestHome("interactive-\(kind)")
        let manager = try await IsolationManager.open(
            configuration: .init(home: home.url, session: "interactive-tests"), engines: [VirtualenvEngine(home: home.url), DockerEngine()])
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

    /// Reads the session's output until `text` has appeared in what is new since the last call.
    struct Reader {
        var iterator: InteractiveOutput.AsyncIterator
        var seen = ""

        mutating func until(_ text: String) async throws {
            while !seen.contains(text) {
                guard let chunk = try await iterator.next() else {
                    Issue.record("the output ended before '\(text)'; it was: \(seen)")
                    return
                }
                seen += String(decoding: chunk, as: UTF8.self)
            }
            seen = String(seen[seen.range(of: text)!.upperBound...])
        }

        mutating func drain() async throws {
            while let chunk = try await iterator.next() { seen += String(decoding: chunk, as: UTF8.self) }
        }
    }

    @Test(arguments: [EngineKind.virtualenv, .docker])
    func inputOutputResizeAndExitCode(_ kind: EngineKind) async throws {
        try await withEnvironment(kind) { manager, id in
            let code = try await manager.interactive(id, Command(["sh"]), size: TerminalSize(rows: 24, columns: 80)) { session in
                var output = Reader(iterator: session.output.makeAsyncIterator())
                // The terminal echoes the input line; only the shell's arithmetic prints 42.
                try await session.write(Data("stty size; echo $((6*7))\n".utf8))
                try await output.until("24 80")
                try await output.until("42")
                try await session.resize(TerminalSize(rows: 31, columns: 101))
                try await session.write(Data("stty size\n".utf8))
                try await output.until("31 101")
                // A terminal, not a pipe: `test -t` holds, and the venv is activated for the virtualenv.
                try await session.write(Data("test -t 0 && echo is-a-tty; echo \"venv=${VIRTUAL_ENV:+yes}\"\n".utf8))
                try await output.until("is-a-tty")
                try await output.until(kind == .virtualenv ? "venv=yes" : "venv=")
                try await session.write(Data("exit 3\n".utf8))
                try await output.drain()
                return try await session.exitCode()
            }
            #expect(code == 3)
        }
    }

    @Test(arguments: [EngineKind.virtualenv, .docker])
    func ctrlCReachesTheCommand(_ kind: EngineKind) async throws {
        try await withEnvironment(kind) { manager, id in
            let script = "trap 'echo got-int; exit 5' INT; echo ready; while :; do sleep 1; done"
            let code = try await manager.interactive(id, Command(["sh", "-c", script])) { session in
                var output = Reader(iterator: session.output.makeAsyncIterator())
                try await output.until("ready")
                try await session.write(Data([0x03]))
                try await output.until("got-int")
                try await output.drain()
                return try await session.exitCode()
            }
            #expect(code == 5)
        }
    }

    @Test(arguments: [EngineKind.virtualenv, .docker])
    func theShellIsTheEnvironmentsAndLeavingEarlyEndsIt(_ kind: EngineKind) async throws {
        // One sleep per case: a virtualenv's `ps` lists the host's processes, the other case's
        // container among them (the cases run at once).
        let sleep = kind == .docker ? "sleep 3608" : "sleep 3607"
        try await withEnvironment(kind) { manager, id in
            try await manager.shell(id) { session in
                var output = Reader(iterator: session.output.makeAsyncIterator())
                try await session.write(Data("echo $((6*7))\n".utf8))
                try await output.until("42")
                try await session.write(Data("\(sleep)\n".utf8))
                // Returning with the shell (and its sleep) still running: the call ends them.
            }
            let left =
                kind == .docker
                ? try await manager.run(id, Command(["ps", "-o", "args"])).stdoutText
                : try await manager.run(id, Command(["sh", "-c", "ps -eo args"])).stdoutText
            #expect(!left.contains(sleep), "left running: \(left)")
            let missing = try await manager.interactive(id, Command(["no-such-program-here"])) { session in
                var output = Reader(iterator: session.output.makeAsyncIterator())
                try await output.drain()
                return try await session.exitCode()
            }
            #expect(missing == 127)
        }
        await #expect(throws: IsolationError.self) {
            let home = try TestHome("interactive-missing")
            try await home.manager().interactive("env-000000000000", Command(["sh"])) { _ in }
        }
    }
}
