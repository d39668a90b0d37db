import IsolationCore
import IsolationProtocol

/// The release version, kept as a NUL-terminated string for the life of the process.
// Safe without synchronization: written once at initialization, only read afterwards, never freed.
nonisolated(unsafe) let versionCString: UnsafePointer<CChar> = {
    let bytes = Array(PtestIsolationVersion.current.utf8CString)
    let storage = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
    storage.initialize(from: bytes, count: bytes.count)
    return UnsafePointer(storage)
}()

@_cdecl("ptest_iso_abi_version")
public func ptest_iso_abi_version() -> UInt32 {
    abiVersion
}

@_cdecl("ptest_iso_version")
public func ptest_iso_version() -> UnsafePointer<CChar> {
    versionCString
}
