import Foundation
import Hummingbird
import HummingbirdTesting
import IsolationCore
import IsolationServer
import Testing

/// The server's pieces through Hummingbird's test client: a real manager on a temporary home,
/// the real router and middleware, no network.
@Suite struct ServerAuthTests {
    static let alice = "alice-token-0123456789abcdef"
    static let bob = "bob-token-0123456789abcdef"

    static func withServer(
        _ tokens: [OwnerToken], maxBodyBytes: Int = 8 << 20, _ body: @Sendable (any TestClientProtocol) async throws -> Void
    ) async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("serve-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        var configuration = IsolationManager.Configuration(home: home, session: "serve-test-\(UUID().uuidString.prefix(8))")
        configuration.reaperExecutable = nil
        let manager = try await IsolationManager.open(configuration: configuration)
        var server = PtestIsoServer.Configuration(address: .hostname("127.0.0.1", port: 0), tokens: tokens)
        server.maxBodyBytes = maxBodyBytes
        let application = Application(router: PtestIsoServer(manager: manager, configuration: server).router())
        try await application.test(.router, body)
        await manager.shutdown()
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    @Test func healthAndContractNeedNoToken() async throws {
        try await Self.withServer([OwnerToken(token: Self.alice, owner: "alice")]) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("\"status\":\"ok\""))
            }
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains("/v1/call/{method}"))
            }
        }
    }

    @Test func missingUnknownAndExpiredTokensAre401() async throws {
        let tokens = [
            OwnerToken(token: Self.alice, owner: "alice"),
            OwnerToken(token: Self.bob, owner: "bob", expiresAt: Date(timeIntervalSince1970: 1)),
        ]
        try await Self.withServer(tokens) { client in
            try await client.execute(uri: "/v1/call/version", method: .post) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
            }
            try await client.execute(uri: "/v1/call/version", method: .post, headers: Self.bearer("not-a-token-of-the-file")) {
                #expect($0.status == .unauthorized)
                #expect(!String(buffer: $0.body).contains("not-a-token"))
            }
            try await client.execute(uri: "/v1/call/version", method: .post, headers: Self.bearer(Self.bob)) {
                #expect($0.status == .unauthorized)
                #expect(String(buffer: $0.body).contains("expired"))
            }
            try await client.execute(uri: "/v1/call/version", method: .post, headers: Self.bearer(Self.alice)) {
                #expect($0.status == .ok)
                #expect(String(buffer: $0.body).contains("\"protocol\":1"))
            }
        }
    }

    @Test func badRequestsAre4xxNamingTheField() async throws {
        try await Self.withServer([OwnerToken(token: Self.alice, owner: "alice")], maxBodyBytes: 2048) { client in
            let headers = Self.bearer(Self.alice)
            try await client.execute(uri: "/v1/call/list", method: .post, headers: headers, body: ByteBuffer(string: "{nope")) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(
                uri: "/v1/call/list", method: .post, headers: headers, body: ByteBuffer(string: #"{"bogus":1}"#)
            ) {
                #expect($0.status == .badRequest)
                #expect(String(buffer: $0.body).contains("\"field\":\"bogus\""))
            }
            try await client.execute(
                uri: "/v1/call/list", method: .post, headers: headers, body: ByteBuffer(repeating: UInt8(ascii: " "), count: 4096)
            ) {
                #expect($0.status == .contentTooLarge)
            }
            try await client.execute(uri: "/v1/call/no_such_method", method: .post, headers: headers) {
                #expect($0.status == .notFound)
                #expect(String(buffer: $0.body).contains("unknownMethod"))
            }
            try await client.execute(uri: "/v1/call/shutdown", method: .post, headers: headers) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/v1/call/get", method: .post, headers: headers, body: ByteBuffer(string: #"{"id":"env-0"}"#)) {
                #expect($0.status == .notFound)
            }
        }
    }

    @Test func anOwnerOverItsRateGets429WithRetryAfter() async throws {
        try await Self.withServer([OwnerToken(token: Self.alice, owner: "alice", requestsPerSecond: 0.001)]) { client in
            let headers = Self.bearer(Self.alice)
            try await client.execute(uri: "/v1/call/version", method: .post, headers: headers) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/call/version", method: .post, headers: headers) {
                #expect($0.status == .tooManyRequests)
                #expect(Int($0.headers[.retryAfter] ?? "") ?? 0 >= 1)
            }
        }
    }

    @Test func tokensFileIsStrict() throws {
        func load(_ json: String) throws -> [OwnerToken] {
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString).json")
            try Data(json.utf8).write(to: url)
            defer { try? FileManager.default.removeItem(at: url) }
            return try TokensFile.load(url)
        }
        #expect(try load(#"[{"token":"\#(Self.alice)","owner":"alice","max_live":2}]"#).first?.maxLive == 2)
        #expect { try load(#"[{"token":"\#(Self.alice)","owner":"alice","maxlive":2}]"#) } throws: {
            ($0 as? IsolationError)?.field == "[0].maxlive"
        }
        #expect { try load(#"[{"token":"short","owner":"alice"}]"#) } throws: {
            ($0 as? IsolationError)?.field == "tokens[0].token" && !"\($0)".contains("short")
        }
        #expect { try load(#"[{"token":"\#(Self.alice)","owner":"a"},{"token":"\#(Self.bob)","owner":"a"}]"#) } throws: {
            ($0 as? IsolationError)?.field == "tokens[1].owner"
        }
        #expect { try load("[]") } throws: { ($0 as? IsolationError)?.field == "tokens" }
    }
}
