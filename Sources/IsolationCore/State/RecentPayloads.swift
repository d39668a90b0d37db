import Foundation
import Synchronization

/// The payload this process last wrote for each record, with the value it encodes.
///
/// A create and a destroy move one record through four states, each a read-modify-write of its
/// JSON payload; decoding that payload again was a tenth of a venv test's CPU. A row that still
/// holds the bytes remembered here (nobody else wrote it since) is not decoded: the value is
/// the one those bytes were made from. Bytes that differ are decoded as before, so what another
/// process wrote is always read.
final class RecentPayloads<Value: Sendable>: Sendable {
    private struct Entry: Sendable {
        var payload: Data
        var value: Value
    }

    private let entries = Mutex<[String: Entry]>([:])
    /// Records remembered at most; past it the memory starts over (a process holds few live ones).
    let limit: Int

    init(limit: Int = 1024) {
        self.limit = limit
    }

    /// The value of `payload`, read for record `id`: the remembered one when the bytes are the same.
    func value(of id: String, payload: Data, decode: (Data) throws -> Value) rethrows -> Value {
        if let known = entries.withLock({ $0[id] }), known.payload == payload { return known.value }
        return try decode(payload)
    }

    func remember(_ id: String, payload: Data, value: Value) {
        entries.withLock { entries in
            if entries.count >= limit, entries[id] == nil { entries.removeAll(keepingCapacity: true) }
            entries[id] = Entry(payload: payload, value: value)
        }
    }

    func forget(_ id: String) {
        _ = entries.withLock { $0.removeValue(forKey: id) }
    }
}
