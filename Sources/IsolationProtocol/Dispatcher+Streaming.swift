package import Foundation
package import IsolationCore

/// The methods of `ptest_iso_call_streaming`: output goes to the caller's chunk callback as it
/// comes, and the JSON answer is how the call ended. Translation only, as in ``Dispatcher``.
package extension Dispatcher {
    package static let streamingMethods: Set<String> = ["run_stream", "follow_logs"]

    /// Output chunk kinds (`PTEST_ISO_STREAM_*`).
    package static let stdoutStream: Int32 = 1
    package static let stderrStream: Int32 = 2

    package static func stream(_ manager: IsolationManager, method: String, request text: String, to handoff: some ChunkSink) async throws
        -> String
    {
        func request<T: ABIRequest>(_ type: T.Type) throws -> T {
            try ProtocolJSON.decode(type, from: text, what: "request")
        }
        switch method {
        case "run_stream":
            let body = try request(RunRequest.self)
            let command = Command(
                body.argv, environment: body.environment ?? [:], workingDirectory: body.workingDirectory,
                timeoutSeconds: body.timeoutSeconds, stdin: body.stdin.map { Data($0.utf8) })
            let exit = try await manager.runStreaming(body.id, command) { events -> CommandExit? in
                for try await event in events {
                    switch event {
                    case .stdout(let data): await handoff.send(StreamChunk(stream: stdoutStream, data: data))
                    case .stderr(let data): await handoff.send(StreamChunk(stream: stderrStream, data: data))
                    case .exit(let exit): return exit
                    }
                }
                return nil
            }
            guard let exit else { throw ABIError(status: -17, code: "internal", message: "the command's output ended without its exit") }
            return try ProtocolJSON.encode(exit)
        case "follow_logs":
            let body = try request(LogsRequest.self)
            try await manager.followLogs(body.id, tail: body.tail) { chunk in
                await handoff.send(StreamChunk(stream: chunk.stream == .stderr ? stderrStream : stdoutStream, data: chunk.data))
            }
            return "{}"
        default:
            if methods.contains(method) {
                throw ABIError.invalidArgument("'\(method)' answers at once; call it with ptest_iso_call, not ptest_iso_call_streaming")
            }
            throw ABIError.unknownMethod(method)
        }
    }
}
