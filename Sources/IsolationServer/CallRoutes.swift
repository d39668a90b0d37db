import Foundation
package import Hummingbird
package import IsolationCore
import IsolationProtocol

/// `POST /v1/call/{method}`: the C ABI's protocol over HTTP. The body is the JSON request of
/// `ptest_iso_call`, a 200 answer its JSON reply, an error the ABI's error object.
package struct CallRoutes: Sendable {
    let manager: IsolationManager
    let authenticator: Authenticator
    package let maxBodyBytes: Int

    let metrics: ServerMetrics
    let hostAccess: HostAccessPolicy
    let quotas: OwnerQuotas

    package init(
        manager: IsolationManager, authenticator: Authenticator, maxBodyBytes: Int, metrics: ServerMetrics,
        hostAccess: HostAccessPolicy = HostAccessPolicy(allowHostAccess: false)
    ) {
        self.metrics = metrics
        self.hostAccess = hostAccess
        self.quotas = OwnerQuotas(manager: manager)
        self.manager = manager
        self.authenticator = authenticator
        self.maxBodyBytes = maxBodyBytes
    }

    package func add(to router: Router<ServerContext>) {
        router.post("/v1/call/{method}") { request, context in
            try await call(request, context: context)
        }
    }

    func call(_ request: Request, context: ServerContext) async throws -> Response {
        guard let owner = context.owner else { throw ServerError(status: .unauthorized, code: "unauthorized", message: "no owner") }
        let method = try context.parameters.require("method")
        guard Dispatcher.methods.contains(method) || Self.archiveMethods.contains(method) else {
            throw ServerError(ABIError.unknownMethod(method))
        }
        guard !OwnerScope.refused.contains(method) else {
            throw ServerError(
                status: .forbidden, code: "forbidden",
                message: "'\(method)' acts on the whole server or on snapshots by name; it is not offered over HTTP", field: "method")
        }
        let body = try await RequestBody.text(request, limit: maxBodyBytes)
        if Dispatcher.streamingMethods.contains(method) { return try await stream(method: method, body: body, owner: owner) }
        let answer = try await answer(method: method, body: body, owner: owner)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: answer)))
    }

    /// Checks the owner's quota, scopes the request to the owner, and calls the protocol.
    func answer(method: String, body: String, owner: String) async throws -> String {
        let started = ContinuousClock.now
        do {
            let answer = try await answerUnmeasured(method: method, body: body, owner: owner)
            metrics.operation(method: method, error: nil, duration: .now - started)
            return answer
        } catch let error as ServerError {
            metrics.operation(method: method, error: error.error.code, duration: .now - started)
            throw error
        }
    }

    func answerUnmeasured(method: String, body: String, owner: String) async throws -> String {
        let scope = OwnerScope(manager: manager, owner: owner)
        do {
            try hostAccess.check(method: method, request: body)
            if Dispatcher.poolMethods.contains(method) { return try await pools(method: method, body: body, owner: owner) }
            if Self.archiveMethods.contains(method) { return try await transfer(method: method, body: body, owner: owner) }
            if method == "snapshots" {
                _ = try ProtocolJSON.decode(EmptyRequest.self, from: body.isEmpty ? "{}" : body, what: "request")
                return try await ProtocolJSON.encode(["snapshots": try scope.snapshots()])
            }
            let scoped = try await scope.scope(method: method, request: body.isEmpty ? "{}" : body)
            guard method == "create" else { return try await Dispatcher.call(manager, method: method, request: scoped) }
            // A request the protocol cannot read is its error to name: it then costs nothing here.
            let spec = (try? ProtocolJSON.decode(CreateRequest.self, from: scoped, what: "request"))?.spec ?? EnvironmentSpec()
            return try await quotas.withPlace(owner: authenticator.entry(forOwner: owner), spec: spec) {
                try await Dispatcher.call(manager, method: method, request: scoped)
            }
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError(error)
        }
    }
}

extension CallRoutes {
    /// One protocol call for the `/env-instance` routes, owner-scoped as `/v1/call` is.
    func dispatch(_ method: String, _ request: [String: Any], context: ServerContext) async throws -> [String: Any] {
        guard let owner = context.owner else { throw ServerError(status: .unauthorized, code: "unauthorized", message: "no owner") }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)
        let answer = try await answer(method: method, body: text, owner: owner)
        return (try? JSONSerialization.jsonObject(with: Data(answer.utf8))) as? [String: Any] ?? [:]
    }
}

/// A request body read whole, up to a limit.
enum RequestBody {
    /// - Throws: 413 past `limit` bytes; 400 for text that is not UTF-8.
    static func text(_ request: Request, limit: Int) async throws -> String {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw ServerError(
                status: .contentTooLarge, code: "bodyTooLarge",
                message: "the request body is over \(limit) bytes; send a smaller one (serve --max-body-bytes)")
        }
        guard let text = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes), text.utf8.count == buffer.readableBytes
        else {
            throw ServerError(status: .badRequest, code: "invalidArgument", message: "the request body is not UTF-8 text")
        }
        return text
    }
}
