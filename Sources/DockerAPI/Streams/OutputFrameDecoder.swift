import Foundation
import NIOCore
import NIOFoundationCompat

/// Splits Docker's multiplexed stdout/stderr stream into chunks.
///
/// Each frame is an 8-byte header — stream type, three zero bytes, a
/// big-endian payload length — followed by the payload. Frames and even
/// headers may be split across network reads, so bytes are buffered
/// until a whole frame is there.
struct OutputFrameDecoder {
    private var pending = ByteBuffer()

    mutating func feed(_ buffer: ByteBuffer) throws -> [OutputChunk] {
        var buffer = buffer
        pending.writeBuffer(&buffer)
        var chunks: [OutputChunk] = []
        while pending.readableBytes >= 8 {
            let start = pending.readerIndex
            guard let kind = pending.getInteger(at: start, as: UInt8.self),
                let length = pending.getInteger(at: start + 4, as: UInt32.self)
            else { break }
            guard pending.readableBytes >= 8 + Int(length) else { break }
            guard let stream = OutputChunk.Stream(rawValue: kind) else {
                throw DockerError(.protocolError, "malformed output stream: frame type \(kind) is not stdin, stdout or stderr")
            }
            pending.moveReaderIndex(forwardBy: 8)
            let payload = pending.readData(length: Int(length)) ?? Data()
            chunks.append(OutputChunk(stream: stream, data: payload))
        }
        pending.discardReadBytes()
        return chunks
    }

    func finish() throws -> [OutputChunk] {
        guard pending.readableBytes == 0 else {
            throw DockerError(.protocolError, "output stream ended inside a frame (\(pending.readableBytes) bytes left over)")
        }
        return []
    }
}

/// Splits a stream of newline-delimited JSON objects (progress, events, stats).
struct JSONLineDecoder<Element: Decodable> {
    private var pending = ByteBuffer()
    let context: String

    init(context: String) {
        self.context = context
    }

    mutating func feed(_ buffer: ByteBuffer) throws -> [Element] {
        var buffer = buffer
        pending.writeBuffer(&buffer)
        var elements: [Element] = []
        while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let length = newline - pending.readerIndex
            let line = pending.readData(length: length) ?? Data()
            pending.moveReaderIndex(forwardBy: 1)
            if let element = try decodeLine(line) { elements.append(element) }
        }
        pending.discardReadBytes()
        return elements
    }

    mutating func finish() throws -> [Element] {
        let rest = pending.readData(length: pending.readableBytes) ?? Data()
        return try decodeLine(rest).map { [$0] } ?? []
    }

    private func decodeLine(_ line: Data) throws -> Element? {
        guard line.contains(where: { !($0 == 0x20 || $0 == 0x0D || $0 == 0x09) }) else { return nil }
        return try DockerJSON.decode(Element.self, from: line, context: context)
    }
}
