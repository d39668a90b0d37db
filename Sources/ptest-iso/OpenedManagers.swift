import IsolationCore
import Synchronization

/// The managers a command opened, so the process settles their events before it exits.
final class OpenedManagers: Sendable {
    static let shared = OpenedManagers()

    private let managers = Mutex<[IsolationManager]>([])

    func add(_ manager: IsolationManager) {
        managers.withLock { $0.append(manager) }
    }

    func settleEvents() async {
        for manager in managers.withLock({ $0 }) {
            await manager.store.settleEvents()
        }
    }
}
