import BenchSupport
import Foundation

/// The floor: the same HTTP requests DockerAPI sends, each made by a fresh
/// `curl --unix-socket` process. Nothing is cheaper short of keeping a
/// connection open, which is what DockerAPI does in-process.
struct CurlFloorMethod: BenchMethod {
    let curl: ChildProcess
    let socketPath: String
    /// `/v1.41`, the version as the daemon's `/_ping` reported it.
    let versionPrefix: String
    private var baseURL: String { "http://docker" + versionPrefix }
    var method: Method { .floor }

    /// Asks `/_ping` (once) which API version to put in every path.
    static func connect(curl: ChildProcess, socketPath: String) async throws -> CurlFloorMethod {
        let ping = try await curl.check([
            "-q", "-sS", "--fail-with-body", "-D", "-", "-o", "/dev/null", "--unix-socket", socketPath, "http://docker/_ping",
        ])
        let header = ping.stdoutText.split(whereSeparator: \.isNewline).first {
            $0.lowercased().hasPrefix("api-version:")
        }
        guard let header, let version = header.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces),
            !version.isEmpty
        else {
            throw BenchFailure("the daemon's /_ping reply had no API-Version header")
        }
        return CurlFloorMethod(curl: curl, socketPath: socketPath, versionPrefix: "/v\(version)")
    }

    @discardableResult
    private func request(_ method: String, _ path: String, json body: Data? = nil) async throws -> Data {
        var arguments = ["-q", "-sS", "--fail-with-body", "--unix-socket", socketPath, "-X", method]
        if let body {
            arguments += ["-H", "Content-Type: application/json", "--data-binary", String(decoding: body, as: UTF8.self)]
        }
        arguments.append(baseURL + path)
        return try await curl.check(arguments).stdout
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
        // Like DockerAPI, ask again until the daemon has recorded the exit code, but without sleeping.
        for attempt in 1...500 {
            let inspect = try JSONDecoder().decode(FloorBodies.ExecInspect.self, from: try await request("GET", "/exec/\(execID)/json"))
            if !inspect.running, let code = inspect.exitCode {
                return ExecOutcome(stdout: String(decoding: stdout, as: UTF8.self), exitCode: code, inspects: attempt)
            }
        }
        throw BenchFailure("exec \(execID): no exit code after 500 inspects")
    }
}
