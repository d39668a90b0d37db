import ArgumentParser
import Foundation
import IsolationCore

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a command in an environment; its exit code becomes ptest-iso's.",
        discussion: """
            The command's stdout and stderr are written to ptest-iso's as the command writes \
            them (with --json, one document at the end). A command killed by --timeout exits \
            ptest-iso with 6 after its output; Ctrl-C kills the command and exits with 130. Relative \
            --workdir paths are under the environment's working directory (a venv's work/, a \
            container's /work).

            Examples:
              ptest-iso run env-3f2a9c1b7d40 -- python -c 'import sys; print(sys.version)'
              ptest-iso exec env-3f2a9c1b7d40 --env DEBUG=1 --workdir tests -- python -m pytest -x
              ptest-iso run env-3f2a9c1b7d40 --timeout 30 --json -- sh -c 'exit 3'
              ptest-iso run env-3f2a9c1b7d40 --stdin -- python - < script.py
              ptest-iso run -it env-3f2a9c1b7d40 -- python

            With -t the command gets a terminal (stdout and stderr merged, as on any terminal), \
            ptest-iso's own terminal is in raw mode until it ends, and window size changes are \
            passed on; -i forwards stdin as it is typed (without -t: read to its end first, as \
            --stdin). -t needs a terminal on stdin.
            """,
        aliases: ["exec"]
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The environment's id, id prefix or name.", completion: Completions.environments)
    var id: String

    @Option(parsing: .unconditional, help: "Kill the command (and what it started) after this many seconds.")
    var timeout: Double?

    @Option(name: .customLong("env"), help: "A variable for the command, as KEY=VALUE; repeat for more.")
    var variables: [String] = []

    @Option(help: "The command's working directory.")
    var workdir: String?

    @Flag(help: "Pass ptest-iso's stdin (read to its end first) to the command.")
    var stdin = false

    @Flag(name: [.customShort("i"), .long], help: "Keep stdin open: forward it to the command as it is typed (with -t).")
    var interactive = false

    @Flag(name: [.customShort("t"), .long], help: "Give the command a terminal (as docker run -t).")
    var tty = false

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    func validate() throws {
        if command.isEmpty {
            throw ValidationError("give the command after --, e.g. ptest-iso run \(id) -- python -V")
        }
        _ = try parseVariables(variables)
        try asValidation { _ = try SchemaLimits.timeout(timeout, field: "--timeout") }
        if tty {
            try validateTerminal(json: output.json, stdin: stdin, timeout: timeout)
        }
    }

    func run() async throws {
        if tty {
            let manager = try await state.manager()
            let command = Command(command, environment: try parseVariables(variables), workingDirectory: workdir)
            let (id, forwardInput) = (id, interactive)
            let code = try await interruptible {
                try await attachTerminal(forwardInput: forwardInput) { size, body in
                    try await manager.interactive(id, command, size: size, body)
                }
            }
            throw ExitCode(code)
        }
        let input = stdin || interactive ? FileHandle.standardInput.readDataToEndOfFile() : nil
        if let exit = try await state.withRemote({ try await runRemotely(on: $0, input: input) }) {
            throw ExitCode(exit)
        }
        let manager = try await state.manager()
        let (id, json) = await (try manager.resolveAddress(id), output.json)
        let command = Command(
            command, environment: try parseVariables(variables), workingDirectory: workdir, timeoutSeconds: timeout, stdin: input)
        // Ctrl-C cancels the run, which kills the command and what it started.
        let exit = try await interruptible { () -> CommandExit in
            if json {
                // The whole result as one JSON document at the end.
                let result = try await manager.run(id, command)
                try printJSON(result.text)
                return CommandExit(exitCode: result.exitCode, durationSeconds: result.durationSeconds, timedOut: result.timedOut)
            }
            return try await manager.runStreaming(id, command) { events in
                for try await event in events {
                    switch event {
                    case .stdout(let data): StandardStream.write(data, to: .standardOutput)
                    case .stderr(let data): StandardStream.write(data, to: .standardError)
                    case .exit(let exit): return exit
                    }
                }
                throw IsolationError(.ioFailure, "the command's output ended without its exit status")
            }
        }
        if exit.timedOut {
            StandardStream.failure("the command did not finish within \(timeout.map { "\($0)" } ?? "?") seconds and was killed")
            throw ExitCode(ExitStatus.timeout)
        }
        throw ExitCode(exit.exitCode)
    }
}

extension Run {
    /// The command on a server: its output once it has ended (the protocol's `run`), then its exit code.
    func runRemotely(on server: RemoteServer, input: Data?) async throws -> Int32 {
        let id = try await server.resolve(id).id
        var request: [String: Any] = ["id": id, "argv": command]
        let variables = try parseVariables(variables)
        if !variables.isEmpty { request["environment"] = variables }
        if let workdir { request["working_directory"] = workdir }
        if let timeout { request["timeout_seconds"] = timeout }
        if let input { request["stdin"] = String(decoding: input, as: UTF8.self) }
        let data = try await server.call("run", request)
        let answer = try SchemaJSON.decoder().decode(RemoteServer.RunAnswer.self, from: data)
        if output.json {
            StandardStream.write(data + Data("\n".utf8), to: .standardOutput)
        } else {
            StandardStream.write(Data(answer.stdout.utf8), to: .standardOutput)
            StandardStream.write(Data(answer.stderr.utf8), to: .standardError)
        }
        if answer.timedOut {
            StandardStream.failure("the command did not finish within \(timeout.map { "\($0)" } ?? "?") seconds and was killed")
            return ExitStatus.timeout
        }
        return answer.exitCode
    }
}

/// `KEY=VALUE` options as a dictionary.
///
/// - Throws: `ValidationError` naming the first that is not `KEY=VALUE`.
func parseVariables(_ variables: [String], option: String = "--env") throws -> [String: String] {
    var parsed: [String: String] = [:]
    for variable in variables {
        let parts = variable.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { throw ValidationError("\(option) '\(variable)' is not KEY=VALUE") }
        parsed[String(parts[0])] = String(parts[1])
    }
    return parsed
}

/// The checks of a terminal session's command line: a terminal on stdin (as docker, which
/// says the same), and none of the options that only mean something without one.
///
/// - Throws: `ValidationError` naming the problem.
func validateTerminal(json: Bool, stdin: Bool = false, timeout: Double? = nil) throws {
    if json { throw ValidationError("--json cannot be combined with a terminal (-t or shell)") }
    if stdin { throw ValidationError("--stdin cannot be combined with -t; use -i to forward stdin as it is typed") }
    if timeout != nil { throw ValidationError("--timeout cannot be combined with -t") }
    guard RawTerminal.inputIsTerminal else { throw ValidationError("the input device is not a TTY") }
}
