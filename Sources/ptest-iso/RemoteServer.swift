import AsyncHTTPClient
import Foundation
import IsolationCore
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL

/// A `ptest-iso serve` server as the CLI's commands reach it with `--url`: the protocol's
/// methods over `POST /v1/call/{method}`, answers decoded into the core's own types so each
/// command prints them as it prints local ones (decision 0014).
struct RemoteServer {
    let url: String
    let base: String
    let token: String
    let client: HTTPClient

    /// The longest a call waits for its answer: the server bounds its own work.
    static let timeout = TimeAmount.seconds(900)

    /// - Throws: `invalidSpec` naming `--url`, `--token`/`--token-file` or `--ca`.
    init(url: String, token: String, ca: String?) throws {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme else {
            throw IsolationError(
                .invalidSpec, field: "--url",
                "'\(SchemaJSON.excerpt(url, limit: 256))' is not a server address; write http://HOST:PORT, https://HOST:PORT or http+unix:///path/to/socket"
            )
        }
        switch scheme {
        case "http", "https":
            guard parts.host?.isEmpty == false else {
                throw IsolationError(.invalidSpec, field: "--url", "'\(SchemaJSON.excerpt(url, limit: 256))' names no host")
            }
            base = url.hasSuffix("/") ? String(url.dropLast()) : url
        case "http+unix", "unix":
            let path = (parts.percentEncodedHost.flatMap { $0.removingPercentEncoding } ?? "") + parts.path
            guard path.hasPrefix("/") else {
                throw IsolationError(
                    .invalidSpec, field: "--url",
                    "'\(SchemaJSON.excerpt(url, limit: 256))' names no socket; write http+unix:///path/to/socket")
            }
            base = "http+unix://" + (path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? path)
        default:
            throw IsolationError(
                .invalidSpec, field: "--url", "'\(SchemaJSON.excerpt(url, limit: 256))' is not http://, https:// or http+unix://")
        }
        guard (16...512).contains(token.utf8.count) else {
            throw IsolationError(
                .invalidSpec, field: "--token", "give the server's bearer token (16 to 512 bytes) with --token-file or PTEST_ISO_TOKEN")
        }
        var configuration = HTTPClient.Configuration()
        configuration.httpVersion = .http1Only
        configuration.timeout = .init(connect: .seconds(10), read: Self.timeout)
        configuration.connectionPool.retryConnectionEstablishment = false
        if let ca {
            guard scheme == "https" else { throw IsolationError(.invalidSpec, field: "--ca", "only an https:// server needs a CA bundle") }
            guard FileManager.default.isReadableFile(atPath: ca) else {
                throw IsolationError(.invalidSpec, field: "--ca", "cannot read the CA bundle \(SchemaJSON.excerpt(ca, limit: 256))")
            }
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(ca)
            configuration.tlsConfiguration = tls
        }
        self.url = url
        self.token = token
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async {
        try? await client.shutdown()
    }

    /// One call; the answer's JSON bytes.
    ///
    /// - Throws: the server's error as an ``IsolationError`` where the core has its code, else a
    ///   ``RemoteRefusal``; an unreachable server as `daemonUnavailable` naming the URL.
    func call(_ method: String, _ request: [String: Any]) async throws -> Data {
        var http = HTTPClientRequest(url: "\(base)/v1/call/\(method)")
        http.method = .POST
        http.headers.add(name: "Authorization", value: "Bearer \(token)")
        http.headers.add(name: "Content-Type", value: "application/json")
        http.headers.add(name: "Host", value: "ptest-iso")
        http.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: request)))
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await client.execute(http, timeout: Self.timeout)
            body = try await response.body.collect(upTo: 1 << 30)
        } catch {
            throw IsolationError(
                .daemonUnavailable, field: "--url", "cannot reach the ptest-iso server at \(SchemaJSON.excerpt(url, limit: 256)): \(error)")
        }
        let data = Data(buffer: body)
        guard response.status == .ok else { throw Self.failure(status: response.status, data) }
        return data
    }

    /// Decodes an answer into one of the core's types, as the protocol wrote it.
    func call<T: Decodable>(_ method: String, _ request: [String: Any], as type: T.Type) async throws -> T {
        let data = try await call(method, request)
        do {
            return try SchemaJSON.decoder().decode(T.self, from: data)
        } catch {
            throw IsolationError(
                .storageFailure,
                "the server's answer to \(method) is not what this ptest-iso reads (\(error)); use the same version on both sides")
        }
    }

    static func failure(status: HTTPResponseStatus, _ data: Data) -> any Error {
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        let code = object["code"] as? String ?? "internal"
        let message = object["message"] as? String ?? "the server answered HTTP \(status.code)"
        let field = (object["details"] as? [String: Any])?["field"] as? String
        guard let known = code == "invalidArgument" ? .invalidSpec : IsolationError.Code(name: code) else {
            return RemoteRefusal(code: code, message: message)
        }
        var error = IsolationError(known, message)
        error.field = field
        return error
    }
}

/// What a server refuses that the core has no code for: the token, a quota, a method it does
/// not offer, the request rate.
struct RemoteRefusal: Error {
    let code: String
    let message: String

    var exitStatus: Int32 {
        switch code {
        case "rateLimited": ExitStatus.conflict
        case "unknownMethod", "methodNotAllowed": ExitStatus.usage
        default: ExitStatus.refused
        }
    }
}

extension RemoteServer {
    struct Listing: Decodable {
        var environments: [Environment]
    }

    /// A command's output as the protocol's `run` answers it.
    struct RunAnswer: Decodable {
        var exitCode: Int32
        var stdout: String
        var stderr: String
        var timedOut: Bool
    }

    struct LogsAnswer: Decodable {
        struct Chunk: Decodable {
            var stream: String
            var text: String
        }

        var logs: [Chunk]
    }

    /// An environment by full id, unique id prefix or name, as the local commands take them.
    ///
    /// - Throws: `notFound` when nothing, or more than one, matches.
    func resolve(_ reference: String) async throws -> Environment {
        do {
            return try await call("get", ["id": reference], as: Environment.self)
        } catch let error as IsolationError where error.code == .notFound {
            let live = try await call("list", [:], as: Listing.self).environments
            let matches = live.filter { $0.id.hasPrefix(reference) || $0.spec.name == reference }
            guard matches.count == 1 else {
                throw IsolationError(
                    .notFound, field: "id",
                    matches.isEmpty
                        ? "no environment '\(reference)' on the server at \(url)"
                        : "'\(reference)' matches \(matches.count) environments on the server; give more of the id")
            }
            return matches[0]
        }
    }
}

extension StateOptions {
    /// Runs `body` against the server of `--url`, closing the client after; `nil` when no server
    /// is asked for (the command then works on this machine).
    func withRemote<T>(_ body: (RemoteServer) async throws -> T) async throws -> T? {
        guard let remote = try remote() else { return nil }
        do {
            let value = try await body(remote)
            await remote.shutdown()
            return value
        } catch {
            await remote.shutdown()
            throw error
        }
    }
}
