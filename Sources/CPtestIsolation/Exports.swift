import Foundation
import IsolationCore
import IsolationProtocol

#if canImport(Glibc)
    import Glibc
#endif

@_cdecl("ptest_iso_protocol_version")
public func ptest_iso_protocol_version() -> UInt32 {
    protocolVersion
}

@_cdecl("ptest_iso_open")
public func ptest_iso_open(
    _ config: UnsafePointer<CChar>?, _ outHandle: UnsafeMutablePointer<OpaquePointer?>?,
    _ outError: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    guard let outHandle else { return report(.invalidArgument("out_handle is NULL"), to: outError) }
    outHandle.pointee = nil
    do {
        let configuration = try ProtocolJSON.decode(OpenRequest.self, from: config.map { String(cString: $0) } ?? "{}", what: "config")
        let manager = try IsolationManager(
            configuration: configuration.managerConfiguration(defaultReaper: LibraryLocation.siblingReaper()))
        outHandle.pointee = HandleTable.add(ManagerHandle(manager: manager))
        return 0
    } catch {
        return report(ABIError(error), to: outError)
    }
}

@_cdecl("ptest_iso_close")
public func ptest_iso_close(_ handle: OpaquePointer?, _ outError: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    guard let removed = HandleTable.remove(handle) else { return report(.invalidHandle, to: outError) }
    removed.close()
    return 0
}

@_cdecl("ptest_iso_call")
public func ptest_iso_call(
    _ handle: OpaquePointer?, _ method: UnsafePointer<CChar>?, _ request: UnsafePointer<CChar>?,
    _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    guard let outJSON else { return ABIError.invalidArgument("out_json is NULL").status }
    outJSON.pointee = nil
    if handle == nil, let method, Dispatcher.catalogueMethods.contains(String(cString: method)) {
        // The ready-made services' catalogue needs no manager: answered with no handle at all.
        do {
            let answer = try Dispatcher.callCatalogue(method: String(cString: method), request: request.map { String(cString: $0) } ?? "{}")
            outJSON.pointee = strdup(answer ?? "{}")
            return 0
        } catch {
            return report(ABIError(error), to: outJSON)
        }
    }
    guard let managerHandle = HandleTable.get(handle) else { return report(.invalidHandle, to: outJSON) }
    guard let method else { return report(.invalidArgument("method is NULL"), to: outJSON) }
    let name = String(cString: method)
    let body = request.map { String(cString: $0) } ?? "{}"
    if name == "cancel_all" {
        // Answered here, not on the pool: it must get through while the calls it cancels are running.
        outJSON.pointee = strdup("{\"cancelled\":\(managerHandle.inFlight.cancelAll())}")
        return 0
    }
    if name == "cancel" {
        // Answered here too: it stops one streamed call (by the call_id it was given) while it runs.
        do {
            let request = try ProtocolJSON.decode(CancelRequest.self, from: body, what: "request")
            outJSON.pointee = strdup("{\"cancelled\":\(managerHandle.inFlight.cancel(named: request.callId))}")
            return 0
        } catch {
            return report(ABIError(error), to: outJSON)
        }
    }
    let manager = managerHandle.manager
    do {
        if let json = try Dispatcher.callImmediately(manager, method: name, request: body) {
            outJSON.pointee = strdup(json)
            return 0
        }
    } catch {
        return report(ABIError(error), to: outJSON)
    }
    switch Bridge.run(
        { try await settled(manager) { try await Dispatcher.call(manager, method: name, request: body) } }, registry: managerHandle.inFlight
    ) {
    case .success(let json):
        outJSON.pointee = strdup(json)
        return 0
    case .failure(let error):
        return report(ABIError(error), to: outJSON)
    }
}

@_cdecl("ptest_iso_call_streaming")
public func ptest_iso_call_streaming(
    _ handle: OpaquePointer?, _ method: UnsafePointer<CChar>?, _ request: UnsafePointer<CChar>?,
    _ callback: (@convention(c) (Int32, UnsafePointer<UInt8>?, Int, UnsafeMutableRawPointer?) -> Int32)?,
    _ context: UnsafeMutableRawPointer?, _ outJSON: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    guard let outJSON else { return ABIError.invalidArgument("out_json is NULL").status }
    outJSON.pointee = nil
    guard let managerHandle = HandleTable.get(handle) else { return report(.invalidHandle, to: outJSON) }
    guard let method else { return report(.invalidArgument("method is NULL"), to: outJSON) }
    guard let callback else { return report(.invalidArgument("callback is NULL"), to: outJSON) }
    let name = String(cString: method)
    let manager = managerHandle.manager
    let (body, callID): (String, String?)
    do {
        (body, callID) = try ProtocolJSON.takeCallID(from: request.map { String(cString: $0) } ?? "{}")
    } catch {
        return report(ABIError(error), to: outJSON)
    }
    let result = Bridge.stream(
        { handoff in try await settled(manager) { try await Dispatcher.stream(manager, method: name, request: body, to: handoff) } },
        registry: managerHandle.inFlight, name: callID
    ) { chunk in
        chunk.data.withUnsafeBytes { bytes in
            callback(chunk.stream, bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, context) == 0
        }
    }
    switch result {
    case .success(let json):
        outJSON.pointee = strdup(json)
        return 0
    case .failure(let error):
        return report(ABIError(error), to: outJSON)
    }
}

@_cdecl("ptest_iso_set_event_callback")
public func ptest_iso_set_event_callback(
    _ handle: OpaquePointer?, _ callback: (@convention(c) (UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void)?,
    _ context: UnsafeMutableRawPointer?, _ outError: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    guard let managerHandle = HandleTable.get(handle) else { return report(.invalidHandle, to: outError) }
    managerHandle.setCallback(callback.map { EventCallback(function: $0, context: context) })
    return 0
}

@_cdecl("ptest_iso_free")
public func ptest_iso_free(_ string: UnsafeMutablePointer<CChar>?) {
    free(string)
}

/// Writes the error JSON (when the caller gave somewhere to put it) and returns its status.
private func report(_ error: ABIError, to out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    out?.pointee = strdup(error.json)
    return error.status
}

/// Runs a call, then waits until the events it caused are in the state database's log: when a
/// C call returns, another process (`ptest-iso events`) can read what it did, as it could when
/// events were written synchronously, and a process that exits right after loses none.
private func settled<T: Sendable>(_ manager: IsolationManager, _ call: () async throws -> T) async throws -> T {
    do {
        let result = try await call()
        await manager.store.settleEvents()
        return result
    } catch {
        await manager.store.settleEvents()
        throw error
    }
}
