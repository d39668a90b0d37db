import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The one chokepoint every request goes through: versioned URLs,
/// percent-encoding, deadlines, and mapping failures to ``DockerError``.
extension DockerClient {
    /// Query items in order; `nil` values are left out.
    struct Query: ExpressibleByDictionaryLiteral {
        var items: [(String, String)] = []

        init(dictionaryLiteral elements: (String, String?)...) {
            for (name, value) in elements { add(name, value) }
        }

        mutating func add(_ name: String, _ value: String?) {
            if let value { items.append((name, value)) }
        }

        mutating func add(_ name: String, _ flag: Bool?) {
            if let flag { items.append((name, flag ? "1" : "0")) }
        }

        mutating func add(_ name: String, _ number: Int?) {
            if let number { items.append((name, String(number))) }
        }

        /// Docker's `filters` parameter: a JSON object of string lists.
        mutating func add(filters: [String: [String]]) {
            guard !filters.isEmpty, let data = try? JSONEncoder().encode(filters) else { return }
            items.append(("filters", String(decoding: data, as: UTF8.self)))
        }

        /// A JSON-encoded parameter such as `buildargs` or `labels`.
        mutating func add(json name: String, _ value: [String: String]) {
            guard !value.isEmpty, let data = try? JSONEncoder().encode(value) else { return }
            items.append((name, String(decoding: data, as: UTF8.self)))
        }
    }

    private static let pathAllowed: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "-._~/:@")
        return set
    }()

    private static let queryAllowed: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "-._~")
        return set
    }()

    /// Encodes one path segment (an id or a name) for use in a path.
    static func pathComponent(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: pathAllowed) ?? value
    }

    func url(_ path: String, query: Query = [:], versioned: Bool = true) -> String {
        var url = baseURL + (versioned ? "/v\(apiVersion)" : "") + path
        if !query.items.isEmpty {
            url +=
                "?"
                + query.items.map { name, value in
                    "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: Self.queryAllowed) ?? value)"
                }.joined(separator: "&")
        }
        return url
    }

    /// Sends a request and returns the response once its head arrived with
    /// a 2xx (or an allowed) status; the body is left for the caller.
    ///
    /// - Parameter headTimeout: bounds connecting and the reply head; `nil` uses the request timeout.
    func perform(
        _ method: HTTPMethod,
        _ path: String,
        query: Query = [:],
        headers: HTTPHeaders = [:],
        body: HTTPClientRequest.Body? = nil,
        versioned: Bool = true,
        allowedStatuses: Set<Int> = [],
        headTimeout: Duration? = nil
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: url(path, query: query, versioned: versioned))
        request.method = method
        request.headers = headers
        if case .unixSocket = configuration.endpoint.address {
            request.headers.replaceOrAdd(name: "Host", value: "docker")
        }
        request.headers.replaceOrAdd(name: "User-Agent", value: configuration.userAgent)
        request.body = body
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: .init(headTimeout ?? configuration.requestTimeout))
        } catch {
            throw mapTransportError(error, operation: "\(method) \(path)")
        }
        let status = Int(response.status.code)
        if (200..<300).contains(status) || allowedStatuses.contains(status) {
            return response
        }
        throw await errorFromResponse(response, status: status)
    }

    /// Sends a request and collects the whole body, all within the request timeout.
    func data(
        _ method: HTTPMethod,
        _ path: String,
        query: Query = [:],
        headers: HTTPHeaders = [:],
        body: HTTPClientRequest.Body? = nil,
        versioned: Bool = true,
        allowedStatuses: Set<Int> = [],
        timeout: Duration? = nil,
        maxBytes: Int = 256 << 20
    ) async throws -> (status: Int, headers: HTTPHeaders, body: ByteBuffer) {
        let timeout = timeout ?? configuration.requestTimeout
        return try await withDeadline(timeout, "\(method) \(path)") {
            let response = try await self.perform(
                method, path, query: query, headers: headers, body: body,
                versioned: versioned, allowedStatuses: allowedStatuses, headTimeout: timeout
            )
            do {
                let buffer = try await response.body.collect(upTo: maxBytes)
                return (Int(response.status.code), response.headers, buffer)
            } catch {
                throw self.mapTransportError(error, operation: "\(method) \(path)")
            }
        }
    }

    /// Sends a request whose reply is JSON and decodes it.
    func json<Response: Decodable>(
        _ method: HTTPMethod,
        _ path: String,
        query: Query = [:],
        body: (some Encodable)? = Optional<Empty>.none,
        versioned: Bool = true,
        timeout: Duration? = nil,
        as type: Response.Type = Response.self
    ) async throws -> Response {
        let reply = try await data(
            method, path, query: query,
            headers: body == nil ? [:] : ["Content-Type": "application/json"],
            body: try body.map { .bytes(ByteBuffer(data: try DockerJSON.encode($0))) },
            versioned: versioned, timeout: timeout
        )
        return try DockerJSON.decode(Response.self, from: reply.body, context: "\(method) \(path)")
    }

    /// Sends a request whose reply body does not matter; returns the status.
    @discardableResult
    func send(
        _ method: HTTPMethod,
        _ path: String,
        query: Query = [:],
        body: (some Encodable)? = Optional<Empty>.none,
        allowedStatuses: Set<Int> = [],
        timeout: Duration? = nil
    ) async throws -> Int {
        let reply = try await data(
            method, path, query: query,
            headers: body == nil ? [:] : ["Content-Type": "application/json"],
            body: try body.map { .bytes(ByteBuffer(data: try DockerJSON.encode($0))) },
            allowedStatuses: allowedStatuses, timeout: timeout
        )
        return reply.status
    }

    private func errorFromResponse(_ response: HTTPClientResponse, status: Int) async -> DockerError {
        // The message is small; bound the read so a misbehaving peer cannot stall us.
        let buffer = try? await withDeadline(.seconds(10), "reading an error reply") {
            try await response.body.collect(upTo: 1 << 20)
        }
        var message = buffer.map { String(buffer: $0) } ?? ""
        struct Message: Decodable { var message: String }
        if let buffer, let decoded = try? JSONDecoder().decode(Message.self, from: Data(buffer: buffer)) {
            message = decoded.message
        }
        message = message.trimmingCharacters(in: .whitespacesAndNewlines)
        if message.isEmpty {
            message = "the daemon answered \(response.status)"
        }
        return DockerError.fromStatus(status, message: message)
    }

    /// Turns a transport failure into a ``DockerError`` that says where and what to do.
    func mapTransportError(_ error: any Error, operation: String) -> any Error {
        if error is DockerError || error is CancellationError { return error }
        let endpoint = configuration.endpoint
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return DockerError(
                .tlsFailure,
                "TLS handshake with \(endpoint) failed (\(error)); check that DOCKER_CERT_PATH holds the CA that signed the daemon's certificate and a client certificate it trusts"
            )
        }
        if let httpError = error as? HTTPClientError {
            if httpError == .deadlineExceeded || httpError == .readTimeout {
                return DockerError(.timeout, "\(operation) on \(endpoint) did not answer in time")
            }
            if httpError == .connectTimeout {
                return unreachable("connecting timed out")
            }
            if httpError == .getConnectionFromPoolTimeout {
                // The request waited the whole connect timeout for a connection of the pool.
                return unreachable(
                    "no connection within the connect timeout: the daemon is slow to accept, or all \(configuration.maxConnections) are busy"
                )
            }
            if httpError == .remoteConnectionClosed {
                return DockerError(
                    .daemonUnreachable,
                    "\(endpoint) closed the connection during \(operation); is it a Docker daemon (and does it expect TLS)?")
            }
            if httpError == .cancelled {
                return CancellationError()
            }
        }
        if let ioError = error as? IOError {
            return unreachable(String(cString: strerror(ioError.errnoCode)).lowercased())
        }
        if error is NIOConnectionError || error is ChannelError {
            return unreachable("\(error)")
        }
        return DockerError(.daemonUnreachable, "\(operation) on \(endpoint) failed: \(error)")
    }

    func unreachable(_ reason: String) -> DockerError {
        let endpoint = configuration.endpoint
        let fix: String
        switch endpoint.address {
        case .unixSocket(let path):
            fix = "is dockerd running and is \(path) its socket? Start it (scripts/docker-up.sh) or set DOCKER_HOST"
        case .tcp:
            fix = "is a daemon listening there? Check DOCKER_HOST and the daemon's -H flag"
        }
        return DockerError(.daemonUnreachable, "cannot reach the Docker daemon at \(endpoint) (\(reason)); \(fix)")
    }
}

/// A JSON body with no fields, and the type of an absent body.
struct Empty: Codable, Sendable {}

/// Runs `work`, failing with ``DockerError/Code/timeout`` (or `timeoutError`) when it is not done within `duration`.
///
/// AsyncHTTPClient's own timeout bounds only the reply head; bodies and
/// waits are bounded here by racing the work against a sleep. The loser is cancelled.
package func withDeadline<T: Sendable>(
    _ duration: Duration,
    _ operation: String,
    timeoutError: (@Sendable () -> any Error)? = nil,
    _ work: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await work() }
        group.addTask {
            try await Task.sleep(for: duration)
            throw timeoutError?() ?? DockerError(.timeout, "\(operation) did not finish within \(duration)")
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        return first
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
