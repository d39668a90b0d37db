import Foundation

/// The floor: the same HTTP requests DockerAPI sends, each made by a fresh
/// `curl --unix-socket` process. Nothing is cheaper short of keeping a
/// connection open, which is what DockerAPI does in-process.
struct CurlFloorMethod: BenchMethod {
    let curl: ChildProcess
    let socketPath: String
    /// `http://docker/v1.41`, the version as the daemon's `/_ping` reported it.
    let baseURL: String
    var method: Method { .floor }

    /// Asks `/_ping` (once) which API version to put in every path.
    static func connect(curl: ChildProcess, socketPath: String) async throws -> CurlFloorMethod {
        let ping = try await curl.check(["-q", "-sS", "--fail-with-body", "-D", "-", "-o", "/dev/null", "--unix-socket", socketPath, "http://docker/_ping"])
        let header = ping.stdoutText.split(whereSeparator: \.isNewline).first {
            $0.lowercased().hasPrefix("api-version:")
        }
        guard let header, let version = header.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces),
            !version.isEmpty
        else {
            throw BenchFailure("the daemon's /_ping reply had no API-Version header")
        }
        return CurlFloorMethod(curl: curl, socketPath: socketPath, baseURL: "http://docker/v\(version)")
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
        let body = try JSONEncoder().encode(CreateBody(target))
        let id = try JSONDecoder().decode(IDReply.self, from: try await request("POST", "/containers/create", json: body)).id
        try await request("POST", "/containers/\(id)/start")
        try await request("DELETE", "/containers/\(id)?force=1")
    }

    func execEcho(in containerID: String) async throws -> ExecOutcome {
        let create = try JSONEncoder().encode(ExecCreate(cmd: ["echo", "hi"]))
        let execID = try JSONDecoder().decode(IDReply.self, from: try await request("POST", "/containers/\(containerID)/exec", json: create)).id
        let stream = try await request("POST", "/exec/\(execID)/start", json: Data(#"{"Detach":false,"Tty":false}"#.utf8))
        let stdout = try RawStream.stdout(of: stream)
        // Like DockerAPI, ask again until the daemon has recorded the exit code, but without sleeping.
        for attempt in 1...500 {
            let inspect = try JSONDecoder().decode(ExecInspectReply.self, from: try await request("GET", "/exec/\(execID)/json"))
            if !inspect.running, let code = inspect.exitCode {
                return ExecOutcome(stdout: String(decoding: stdout, as: UTF8.self), exitCode: code, inspects: attempt)
            }
        }
        throw BenchFailure("exec \(execID): no exit code after 500 inspects")
    }
}

/// The body DockerAPI's `ContainerSpec` encodes for this target.
private struct CreateBody: Encodable {
    struct Host: Encodable {
        var securityOpt: [String]
        enum CodingKeys: String, CodingKey { case securityOpt = "SecurityOpt" }
    }
    var image: String
    var cmd: [String]
    var labels: [String: String]
    var hostConfig: Host

    enum CodingKeys: String, CodingKey {
        case image = "Image", cmd = "Cmd", labels = "Labels", hostConfig = "HostConfig"
    }

    init(_ target: BenchTarget) {
        image = target.image
        cmd = target.command
        labels = target.labels
        hostConfig = Host(securityOpt: target.securityOpt)
    }
}

/// The body DockerAPI's `exec` sends when there is no stdin.
private struct ExecCreate: Encodable {
    var attachStdin = false
    var attachStdout = true
    var attachStderr = true
    var tty = false
    var cmd: [String]

    enum CodingKeys: String, CodingKey {
        case attachStdin = "AttachStdin", attachStdout = "AttachStdout", attachStderr = "AttachStderr"
        case tty = "Tty", cmd = "Cmd"
    }
}

private struct IDReply: Decodable {
    var id: String
    enum CodingKeys: String, CodingKey { case id = "Id" }
}

private struct ExecInspectReply: Decodable {
    var running: Bool
    var exitCode: Int?
    enum CodingKeys: String, CodingKey { case running = "Running", exitCode = "ExitCode" }
}
