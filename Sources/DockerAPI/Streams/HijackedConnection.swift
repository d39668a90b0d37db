import Foundation
import NIOCore
import NIOFoundationCompat
import NIOPosix
import NIOSSL

/// A raw connection for an exec or attach with stdin, or with a terminal.
///
/// The daemon "hijacks" such a request: after the reply head the
/// connection carries stdin one way and the multiplexed output the other,
/// and the only way to signal end-of-stdin is to half-close the
/// connection. AsyncHTTPClient cannot do that, so this speaks the few
/// HTTP lines itself over SwiftNIO.
enum HijackedConnection {
    static func run(
        client: DockerClient,
        path: String,
        body: Data,
        stdin: Data,
        onChunk: @Sendable (OutputChunk) async throws -> Void
    ) async throws {
        try await open(client: client, path: path, body: body) { rest, inbound, outbound in
            if !stdin.isEmpty {
                try await outbound.write(ByteBuffer(data: stdin))
            }
            outbound.finish()

            var decoder = OutputFrameDecoder()
            for chunk in try decoder.feed(rest) { try await onChunk(chunk) }
            while let buffer = try await inbound.next() {
                for chunk in try decoder.feed(buffer) { try await onChunk(chunk) }
            }
            _ = try decoder.finish()
        }
    }

    /// Sends the request, checks the reply head, and hands `work` the stream: the bytes that
    /// came with the head, the rest of the inbound side, and the outbound side (half-closable).
    /// The connection is closed when `work` returns or throws.
    ///
    /// - Throws: the daemon's error for a non-2xx head (``DockerError/fromStatus(_:message:)``),
    ///   transport errors mapped as every request's are, what `work` throws.
    static func open<T: Sendable>(
        client: DockerClient,
        path: String,
        body: Data,
        _ work: (ByteBuffer, inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, NIOAsyncChannelOutboundWriter<ByteBuffer>)
            async throws -> T
    ) async throws -> T {
        let operation = "POST \(path)"
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await connect(client.configuration)
        } catch {
            throw client.mapTransportError(error, operation: operation)
        }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                var request = ByteBuffer()
                request.writeString(
                    "POST \(path) HTTP/1.1\r\nHost: docker\r\nUser-Agent: \(client.configuration.userAgent)\r\n"
                        + "Content-Type: application/json\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
                        + "Content-Length: \(body.count)\r\n\r\n"
                )
                request.writeBytes(body)
                try await outbound.write(request)

                var iterator = inbound.makeAsyncIterator()
                var (status, headers, rest) = try await readHead(&iterator, operation: operation)
                guard status == 101 || (200..<300).contains(status) else {
                    let length = headers["content-length"].flatMap(Int.init) ?? Int.max
                    while rest.readableBytes < min(length, 1 << 20), var more = try await iterator.next() {
                        rest.writeBuffer(&more)
                    }
                    let text = (try? JSONDecoder().decode(ErrorMessage.self, from: Data(buffer: rest)).message) ?? String(buffer: rest)
                    throw DockerError.fromStatus(status, message: text.trimmingCharacters(in: .whitespacesAndNewlines))
                }
                return try await work(rest, &iterator, outbound)
            }
        } catch {
            throw client.mapTransportError(error, operation: operation)
        }
    }

    private static func connect(_ configuration: DockerClient.Configuration) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
        let asyncConfiguration = NIOAsyncChannel<ByteBuffer, ByteBuffer>.Configuration(isOutboundHalfClosureEnabled: true)
        switch configuration.endpoint.address {
        case .unixSocket(let socketPath):
            return try await bootstrap.connect(unixDomainSocketPath: socketPath) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: asyncConfiguration)
                }
            }
        case .tcp(let host, let port):
            let sslContext = try configuration.endpoint.tls.map {
                try NIOSSLContext(configuration: DockerClient.makeTLSConfiguration($0))
            }
            // SNI cannot carry an IP address; NIOSSL then checks the certificate against the peer's IP.
            let isIPAddress = (try? SocketAddress(ipAddress: host, port: port)) != nil
            return try await bootstrap.connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let handler = try NIOSSLClientHandler(context: sslContext, serverHostname: isIPAddress ? nil : host)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    return try NIOAsyncChannel(wrappingChannelSynchronously: channel, configuration: asyncConfiguration)
                }
            }
        }
    }

    /// Reads up to the blank line ending the reply head; returns the status,
    /// lower-cased headers, and whatever stream bytes came after the head.
    private static func readHead(
        _ iterator: inout NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator,
        operation: String
    ) async throws -> (Int, [String: String], ByteBuffer) {
        var received = ByteBuffer()
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while true {
            let view = received.readableBytesView
            if let end = view.firstRange(of: separator) {
                let headLength = end.upperBound - view.startIndex
                let head = received.readString(length: headLength) ?? ""
                var lines = head.components(separatedBy: "\r\n").filter { !$0.isEmpty }
                let statusLine = lines.isEmpty ? "" : lines.removeFirst()
                let parts = statusLine.split(separator: " ", maxSplits: 2)
                guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
                    throw DockerError(.protocolError, "\(operation): the daemon answered with a malformed status line '\(statusLine)'")
                }
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                return (status, headers, received.slice())
            }
            guard var more = try await iterator.next() else {
                throw DockerError(.protocolError, "\(operation): the connection closed before the reply head ended")
            }
            received.writeBuffer(&more)
        }
    }

    /// The daemon's error body.
    private struct ErrorMessage: Decodable { var message: String }
}
