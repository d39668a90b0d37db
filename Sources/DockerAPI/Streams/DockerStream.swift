import AsyncHTTPClient
import NIOCore

/// An asynchronous sequence of decoded items from a streaming Engine API
/// reply (logs that follow, stats, events, pull/build progress).
///
/// Stopping the iteration early closes the underlying request.
public struct DockerStream<Element: Sendable>: AsyncSequence, Sendable {
    private let makeIterator: @Sendable () -> AsyncIterator

    init<Decoder>(
        body: HTTPClientResponse.Body,
        decoder: Decoder,
        feed: @escaping @Sendable (inout Decoder, ByteBuffer) throws -> [Element],
        finish: @escaping @Sendable (inout Decoder) throws -> [Element],
        mapError: @escaping @Sendable (any Error) -> any Error
    ) where Decoder: Sendable {
        makeIterator = {
            var bodyIterator = body.makeAsyncIterator()
            var state = decoder
            var buffered: [Element] = []
            var finished = false
            return AsyncIterator {
                while true {
                    if !buffered.isEmpty { return buffered.removeFirst() }
                    if finished { return nil }
                    let next: ByteBuffer?
                    do {
                        next = try await bodyIterator.next()
                    } catch {
                        throw mapError(error)
                    }
                    if let next {
                        buffered = try feed(&state, next)
                    } else {
                        finished = true
                        buffered = try finish(&state)
                    }
                }
            }
        }
    }

    /// A stream whose elements are `transform`ed elements of `base`.
    init<Base: Sendable>(mapping base: DockerStream<Base>, _ transform: @escaping @Sendable (Base) throws -> Element) {
        makeIterator = {
            var iterator = base.makeAsyncIterator()
            return AsyncIterator { try await iterator.next().map(transform) }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        makeIterator()
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate let nextElement: () async throws -> Element?

        public mutating func next() async throws -> Element? {
            try await nextElement()
        }
    }
}

extension DockerStream {
    static func frames(_ response: HTTPClientResponse, client: DockerClient, operation: String) -> DockerStream<OutputChunk>
    where Element == OutputChunk {
        DockerStream(
            body: response.body,
            decoder: OutputFrameDecoder(),
            feed: { try $0.feed($1) },
            finish: { try $0.finish() },
            mapError: { client.mapTransportError($0, operation: operation) }
        )
    }

    static func jsonLines(_ response: HTTPClientResponse, client: DockerClient, operation: String) -> DockerStream<Element>
    where Element: Decodable {
        DockerStream(
            body: response.body,
            decoder: JSONLineDecoder<Element>(context: operation),
            feed: { try $0.feed($1) },
            finish: { try $0.finish() },
            mapError: { client.mapTransportError($0, operation: operation) }
        )
    }
}
