import Foundation
import Testing

@testable import IsolationCore

/// The content hash behind cache keys, lock names and the home label: FNV-1a over 128 bits.
@Suite struct HashTests {
    @Test(arguments: [
        ("", "6c62272e07bb014262b821756295c58d"),
        ("a", "d228cb696f1a8caf78912b704e4a8964"),
        ("foobar", "343e1662793c64bf6f0d3597ba446f18"),
    ])
    func matchesTheReferenceVectors(input: String, expected: String) {
        #expect(Hash128.hex(Data(input.utf8)) == expected)
    }
}
