import Foundation
import FuzzTargets

/// Seeded byte mutations: the same seed gives the same inputs, so a run can be repeated.
struct Mutator {
    private var random: SplitMix64
    let dictionary: [Data]

    init(seed: UInt64, dictionary: [Data]) {
        random = SplitMix64(seed: seed)
        self.dictionary = dictionary
    }

    mutating func next() -> UInt64 { random.next() }

    mutating func next(_ bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }

    /// One to eight edits: flips, random or interesting bytes, splices of the dictionary,
    /// deleted, duplicated or truncated runs.
    mutating func mutate(_ seed: Data) -> Data {
        var bytes = [UInt8](seed)
        for _ in 0...next(8) {
            let at = next(bytes.count + 1)
            switch next(7) {
            case 0 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] ^= UInt8(1 << next(8))
            case 1 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] = [0, 0x20, 0x2f, 0x2e, 0x30, 0x37, 0x7f, 0x80, 0xff][next(9)]
            case 2 where !dictionary.isEmpty: bytes.insert(contentsOf: dictionary[next(dictionary.count)], at: at)
            case 3 where !dictionary.isEmpty:
                let word = [UInt8](dictionary[next(dictionary.count)])
                let end = min(bytes.count, at + word.count)
                bytes.replaceSubrange(at..<end, with: word)
            case 4: bytes.removeSubrange(at..<min(bytes.count, at + 1 + next(64)))
            case 5:
                let end = min(bytes.count, at + 1 + next(600))
                bytes.insert(contentsOf: bytes[at..<end], at: next(bytes.count + 1))
            default: bytes.removeLast(min(bytes.count, next(2) == 0 ? 0 : next(bytes.count + 1)))
            }
        }
        return Data(bytes)
    }
}
