import ArgumentParser
import Foundation
import IsolationCore

struct Logs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a Docker environment's log (its main process's stdout and stderr).",
        discussion: """
            Commands run with `ptest-iso run` are not in the log: their output is returned to the \
            caller. What writes to the container's main process (e.g. `sh -c 'echo hi > \
            /proc/1/fd/1'`) is. Virtualenv environments have no log. --follow ends when the \
            environment is removed or on Ctrl-C (exit code 130).

            Examples:
              ptest-iso logs env-3f2a9c1b7d40
              ptest-iso logs env-3f2a9c1b7d40 --tail 20 --follow
              ptest-iso logs env-3f2a9c1b7d40 --json
              ptest-iso logs env-3f2a9c1b7d40 --service db    # one service of a compose stack
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Argument(
        help: "The environment's id, id prefix or name (or ID/SERVICE for a compose stack's service).", completion: Completions.environments
    )
    var environment: String

    @Option(help: "The service of a compose stack whose log to print (default: its main service).")
    var service: String?

    /// What the core is asked for: a compose service is addressed as `ID/SERVICE`.
    var id: String { service.map { "\(environment)/\($0)" } ?? environment }

    @Option(help: "Only the last N lines.")
    var tail: Int?

    @Flag(help: "Keep printing as the log grows.")
    var follow = false

    func validate() throws {
        if let tail, tail < 0 { throw ValidationError("--tail must not be negative") }
        if service != nil, environment.contains("/") {
            throw ValidationError("--service conflicts with the address \(environment); give ID --service NAME or ID/NAME")
        }
        if let service, service.isEmpty || service.contains("/") {
            throw ValidationError("--service '\(service)': give a service name of the stack, e.g. --service db")
        }
    }

    func run() async throws {
        let shown = try await state.withRemote { server in
            if follow { throw RemoteRefusal(code: "localOnly", message: "--follow: not offered with --url yet; leave it out") }
            var request: [String: Any] = ["id": try await server.resolve(self.id).id]
            if let tail { request["tail"] = tail }
            for chunk in try await server.call("logs", request, as: RemoteServer.LogsAnswer.self).logs {
                let stream: LogChunk.Stream = chunk.stream == "stderr" ? .stderr : .stdout
                try Self.show(LogChunk(stream: stream, data: Data(chunk.text.utf8)), json: output.json)
            }
        }
        if shown != nil { return }
        let manager = try await state.manager()
        let id = try await manager.resolveAddress(id)
        let json = output.json
        if follow {
            let (id, tail) = (id, tail)
            try await interruptible {
                try await manager.followLogs(id, tail: tail) { try Self.show($0, json: json) }
            }
            return
        }
        for chunk in try await manager.logs(id, tail: tail) {
            try Self.show(chunk, json: json)
        }
    }

    /// As text to the stream it came from, or as one JSON object per line.
    static func show(_ chunk: LogChunk, json: Bool) throws {
        if json {
            let line = try SchemaJSON.encoder().encode(["stream": chunk.stream.rawValue, "text": chunk.text])
            StandardStream.write(line + Data("\n".utf8), to: .standardOutput)
        } else {
            StandardStream.write(chunk.data, to: chunk.stream == .stdout ? .standardOutput : .standardError)
        }
    }
}
