import BenchSupport
import Foundation

/// Opt-in (`--reference`): the floor's requests, sent by this process over
/// one kept-alive connection with hand-written HTTP. No process starts and
/// no library: what is left is the daemon's own time, so DockerAPI over
/// this is the library's whole cost.
struct RawReferenceMethod: BenchMethod {
    let connection: RawHTTPConnection
    /// `/v1.41`, from the floor's `/_ping`.
    let versionPrefix: String
    var method: Method { .reference }

    @discardableResult
    private func request(_ method: String, _ path: String, json body: Data? = nil) async throws -> Data {
        let response = try await connection.request(method, versionPrefix + path, json: body)
        guard (200..<300).contains(response.status) else {
            throw BenchFailure("\(method) \(path) answered \(response.status): \(String(decoding: response.body, as: UTF8.self))")
        }
        return response.body
    }

    func lifecycle(_ target: BenchTarget) async throws {
        let body = try JSONEncoder().encode(FloorBodies.Create(target))
        let id = try JSONDecoder().decode(FloorBodies.IDReply.self, from: try await request("POST", "/containers/create", json: body)).id
        try await request("POST", "/containers/\(id)/start")
        try await request("DELETE", "/containers/\(id)?force=1")
    }

    func execEcho(in containerID: String) async throws -> ExecOutcome {
        let create = try JSONEncoder().encode(FloorBodies.ExecCreate(cmd: ["echo", "hi"]))
        let execID = try JSONDecoder().decode(
            FloorBodies.IDReply.self, from: try await request("POST", "/containers/\(containerID)/exec", json: create)
        ).id
        let stream = try await request("POST", "/exec/\(execID)/start", json: Data(#"{"Detach":false,"Tty":false}"#.utf8))
        let stdout = try RawStream.stdout(of: stream)
        for attempt in 1...500 {
            let inspect = try JSONDecoder().decode(FloorBodies.ExecInspect.self, from: try await request("GET", "/exec/\(execID)/json"))
            if !inspect.running, let code = inspect.exitCode {
                return ExecOutcome(stdout: String(decoding: stdout, as: UTF8.self), exitCode: code, inspects: attempt)
            }
        }
        throw BenchFailure("exec \(execID): no exit code after 500 inspects")
    }
}
