import Foundation
package import NIOCore

/// A byte range of a host file as a sequence of chunks: a request body that
/// is read from disk while it is sent, never held whole in memory.
package struct FileChunks: AsyncSequence, Sendable {
    package typealias Element = ByteBuffer

    package let path: String
    package let offset: Int64
    package let length: Int64
    /// Big enough that a syscall per chunk is cheap, small enough to stay out of the way.
    static let chunkSize = 1 << 20

    /// The bytes `offset ..< offset + length` of the file at `path`.
    package init(path: String, offset: Int64 = 0, length: Int64) {
        self.path = path
        self.offset = offset
        self.length = length
    }

    /// The whole file.
    package init(path: String) throws {
        var info = stat()
        guard stat(path, &info) == 0 else { throw DockerError.file("reading", path) }
        self.init(path: path, length: Int64(info.st_size))
    }

    package func makeAsyncIterator() -> Iterator {
        Iterator(path: path, position: offset, remaining: length)
    }

    package struct Iterator: AsyncIteratorProtocol {
        /// Opened on the first read, closed when the iterator goes away, however the upload ends.
        private final class Descriptor {
            let value: Int32
            init(_ value: Int32) { self.value = value }
            deinit { _ = close(value) }
        }

        let path: String
        var position: Int64
        var remaining: Int64
        private var descriptor: Descriptor?

        init(path: String, position: Int64, remaining: Int64) {
            self.path = path
            self.position = position
            self.remaining = remaining
        }

        package mutating func next() async throws -> ByteBuffer? {
            guard remaining > 0 else { return nil }
            if descriptor == nil {
                let value = open(path, O_RDONLY | O_CLOEXEC)
                guard value >= 0 else { throw DockerError.file("opening", path) }
                descriptor = Descriptor(value)
            }
            let fd = descriptor!.value
            let wanted = Int(Swift.min(Int64(FileChunks.chunkSize), remaining))
            var buffer = ByteBufferAllocator().buffer(capacity: wanted)
            let start = position
            let read = try buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { bytes in
                while true {
                    let count = pread(fd, bytes.baseAddress, wanted, off_t(start))
                    if count < 0, errno == EINTR { continue }
                    guard count >= 0 else { throw DockerError.file("reading", path) }
                    return count
                }
            }
            guard read > 0 else {
                throw DockerError(.fileSystem, "reading \(path): it ended \(remaining) bytes early (was it truncated?)")
            }
            position += Int64(read)
            remaining -= Int64(read)
            return buffer
        }
    }
}
