import AsyncAlgorithms
import Foundation
import Hummingbird
import IsolationCore
import IsolationProtocol
import Synchronization

/// The streamed methods (`run_stream`, `follow_logs`) on `POST /v1/call/{method}`: the answer is
/// NDJSON, one object per line — `{"stream": "stdout"|"stderr", "data": BASE64}` for each chunk as
/// it comes, then `{"result": ANSWER}` or `{"error": ERROR}` as the call ended, and a blank line
/// now and then while nothing comes (readers skip it).
///
/// A request the call refuses at once (a wrong field, another owner's id) is answered with the
/// error's status, as on any other method. A client that goes away stops the call: its command
/// is killed, as `ptest_iso_call_streaming` does when its callback asks to stop.
extension CallRoutes {
    enum StreamLine: Sendable {
        case chunk(StreamChunk)
        case heartbeat
        case result(String)
        case failure(ServerError)
    }

    /// How often a quiet stream writes a blank line: a client that went away is noticed by the
    /// failed write within this time, even while the command writes nothing.
    static let heartbeat = Duration.seconds(2)
    static let bodyStartBound = Duration.seconds(30)

    func stream(method: String, body: String, owner: String) async throws -> Response {
        let scoped: String
        do {
            try hostAccess.check(method: method, request: body)
            scoped = try await OwnerScope(manager: manager, owner: owner).scope(method: method, request: body.isEmpty ? "{}" : body)
        } catch let error as ServerError {
            throw error
        } catch {
            throw ServerError(error)
        }
        let lines = AsyncChannel<StreamLine>()
        let producer = Task { [manager, metrics] in
            let started = ContinuousClock.now
            let sink = ChannelSink(channel: lines)
            do {
                let answer = try await Dispatcher.stream(manager, method: method, request: scoped, to: sink)
                metrics.operation(method: method, error: nil, duration: .now - started)
                await lines.send(.result(answer))
            } catch {
                let failure = ServerError(error)
                metrics.operation(method: method, error: failure.error.code, duration: .now - started)
                await lines.send(.failure(failure))
            }
            lines.finish()
        }
        let beats = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: Self.heartbeat)
                await lines.send(.heartbeat)
            }
        }
        var iterator = lines.makeAsyncIterator()
        // The first line decides the status: a call refused at once is an HTTP error, not a 200.
        var first = await iterator.next()
        while case .heartbeat = first { first = await iterator.next() }
        if case .failure(let error) = first {
            beats.cancel()
            throw error
        }
        let pending = first
        // A response whose body never starts (the connection closed as its head was written)
        // must not leave the call running with nobody to read it.
        let bodyStarted = Mutex(false)
        Task {
            try await Task.sleep(for: Self.bodyStartBound)
            if !bodyStarted.withLock({ $0 }) {
                producer.cancel()
                beats.cancel()
            }
        }
        return Response(
            status: .ok, headers: [.contentType: "application/x-ndjson"],
            body: ResponseBody { writer in
                bodyStarted.withLock { $0 = true }
                var iterator = lines.makeAsyncIterator()
                defer {
                    // Ended or gone: the call must not outlive its reader.
                    producer.cancel()
                    beats.cancel()
                }
                var next = pending
                while let line = next {
                    try await writer.write(ByteBuffer(string: Self.text(of: line)))
                    if case .result = line { break }
                    if case .failure = line { break }
                    next = await iterator.next()
                }
                try await writer.finish(nil)
            })
    }

    static func text(of line: StreamLine) -> String {
        switch line {
        case .chunk(let chunk):
            let stream = chunk.stream == Dispatcher.stderrStream ? "stderr" : "stdout"
            return #"{"stream":"\#(stream)","data":"\#(chunk.data.base64EncodedString())"}"# + "\n"
        case .heartbeat:
            return "\n"
        case .result(let answer):
            return #"{"result":\#(answer)}"# + "\n"
        case .failure(let error):
            return #"{"error":\#(error.error.json)}"# + "\n"
        }
    }
}

/// Puts a streamed call's chunks on the response's channel; `send` returns once the response has
/// taken the chunk, so the command goes no faster than the client reads.
struct ChannelSink: ChunkSink {
    let channel: AsyncChannel<CallRoutes.StreamLine>

    func send(_ chunk: StreamChunk) async {
        await channel.send(.chunk(chunk))
    }
}
