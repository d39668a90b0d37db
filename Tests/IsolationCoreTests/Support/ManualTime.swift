import Foundation
import IsolationCore
import Synchronization

/// A wall clock a test moves by hand, so a TTL passes without sleeping through it.
final class ManualTime: Sendable {
    private let current = Mutex(Date())

    var clock: WallClock {
        WallClock { self.current.withLock { $0 } }
    }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
