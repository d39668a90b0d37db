import Dispatch
import Foundation
import IsolationCore
import IsolationProtocol
import Synchronization

/// An open manager and what the ABI keeps with it.
final class ManagerHandle: Sendable {
    let manager: IsolationManager
    let inFlight = InFlight()
    private let callback = Mutex<EventCallback?>(nil)
    private let pump = Mutex<Task<Void, Never>?>(nil)
    /// Callbacks run here, in order, never on the caller's or a Swift concurrency thread.
    private let deliveries = DispatchQueue(label: "ptest-isolation.events")
    /// Marks the delivery queue, so a callback that replaces or removes itself is not made to wait for itself.
    private static let onDeliveryQueue = DispatchSpecificKey<Bool>()

    init(manager: IsolationManager) {
        self.manager = manager
        deliveries.setSpecific(key: Self.onDeliveryQueue, value: true)
    }

    /// Sets the callback. When it replaces or removes one, it returns only once no call of the old
    /// one is running or queued: the caller may free what the old one uses (Python frees its thunk).
    func setCallback(_ newValue: EventCallback?) {
        let replaced = callback.withLock { current -> Bool in
            defer { current = newValue }
            return current != nil
        }
        if replaced { waitForDeliveries() }
        guard newValue != nil else { return }
        pump.withLock { pump in
            guard pump == nil else { return }
            let events = manager.events()
            pump = Task.detached { [weak self] in
                for await event in events {
                    guard let self else { return }
                    self.deliver(event)
                }
            }
        }
    }

    private func deliver(_ event: IsolationEvent) {
        guard callback.withLock({ $0 != nil }), let json = try? ProtocolJSON.encode(event) else { return }
        deliveries.async { [self] in
            // The callback at delivery time, not at queueing time: one removed meanwhile is never called.
            guard let target = callback.withLock({ $0 }) else { return }
            json.withCString { target.function($0, target.context) }
        }
    }

    /// Lets a delivery under way finish; later ones read the callback afresh and find the new one.
    private func waitForDeliveries() {
        guard DispatchQueue.getSpecific(key: Self.onDeliveryQueue) != true else { return }
        deliveries.sync {}
    }

    func close() {
        callback.withLock { $0 = nil }
        pump.withLock { $0?.cancel() }
        waitForDeliveries()
    }
}

/// A C callback and its context pointer.
// Safe to send: the context is an opaque pointer the library never dereferences, only hands back
// to the caller's own function; the function pointer is immutable.
struct EventCallback: @unchecked Sendable {
    let function: @convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void
    let context: UnsafeMutableRawPointer?
}

/// Handles given out to C callers are numbers, not pointers: a closed or
/// foreign handle is then an unknown number (an error), never a dangling
/// pointer (a crash).
enum HandleTable {
    private static let table = Mutex<(next: UInt, open: [UInt: ManagerHandle])>((next: 0x5054_0001, open: [:]))

    static func add(_ handle: ManagerHandle) -> OpaquePointer? {
        let id = table.withLock { state -> UInt in
            let id = state.next
            state.next += 1
            state.open[id] = handle
            return id
        }
        return OpaquePointer(bitPattern: id)
    }

    static func get(_ pointer: OpaquePointer?) -> ManagerHandle? {
        guard let pointer else { return nil }
        let id = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(pointer)))
        return table.withLock { $0.open[id] }
    }

    static func remove(_ pointer: OpaquePointer?) -> ManagerHandle? {
        guard let pointer else { return nil }
        let id = UInt(bitPattern: Int(bitPattern: UnsafeRawPointer(pointer)))
        return table.withLock { $0.open.removeValue(forKey: id) }
    }
}
