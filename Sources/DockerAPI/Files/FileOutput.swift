package import Foundation
package import NIOCore

/// A host file that a streamed reply is written into, chunk by chunk, so an
/// image or archive never has to fit in memory.
///
/// A plain descriptor (not `FileHandle`) keeps it `Sendable`; whoever opens it closes it.
package struct FileOutput: Sendable {
    package let descriptor: Int32
    package let path: String

    /// Creates (or truncates) `url` with mode 0600: snapshot data may hold anything the environment held.
    package static func create(_ url: URL) throws -> FileOutput {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw DockerError.file("creating", url.path) }
        return FileOutput(descriptor: descriptor, path: url.path)
    }

    /// Appends the bytes at the current position, retrying short writes.
    package func append(_ buffer: ByteBuffer) throws {
        try buffer.withUnsafeReadableBytes { try write($0, at: nil) }
    }

    package func append(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0, at: nil) }
    }

    /// Overwrites bytes at `offset` without moving the position (to patch a header written before its size was known).
    package func overwrite(_ bytes: [UInt8], at offset: Int64) throws {
        try bytes.withUnsafeBytes { try write($0, at: offset) }
    }

    /// The current write position.
    package func position() throws -> Int64 {
        let offset = lseek(descriptor, 0, SEEK_CUR)
        guard offset >= 0 else { throw DockerError.file("seeking in", path) }
        return Int64(offset)
    }

    package func close() {
        _ = closeDescriptor(descriptor)
    }

    private func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64?) throws {
        var done = 0
        while done < bytes.count {
            let base = bytes.baseAddress! + done
            let written =
                offset.map { pwrite(descriptor, base, bytes.count - done, off_t($0) + off_t(done)) }
                ?? systemWrite(descriptor, base, bytes.count - done)
            if written < 0 {
                if errno == EINTR { continue }
                throw DockerError.file("writing", path)
            }
            done += written
        }
    }
}

/// `close` and `write` are shadowed by the methods above.
private func closeDescriptor(_ descriptor: Int32) -> Int32 { close(descriptor) }
private func systemWrite(_ descriptor: Int32, _ base: UnsafeRawPointer, _ count: Int) -> Int { write(descriptor, base, count) }

extension DockerError {
    /// A host file operation failed, with the system's reason.
    static func file(_ verb: String, _ path: String) -> DockerError {
        DockerError(.fileSystem, "\(verb) \(path): \(String(cString: strerror(errno)))")
    }
}
