/// Where a streamed call's chunks go: the C caller's thread (``ChunkHandoff``) or an HTTP
/// response (`ptest-iso serve`). `send` awaits while the receiver is behind, so a slow reader
/// slows the command instead of growing memory.
package protocol ChunkSink: Sendable {
    func send(_ chunk: StreamChunk) async
}

extension ChunkHandoff: ChunkSink {}
