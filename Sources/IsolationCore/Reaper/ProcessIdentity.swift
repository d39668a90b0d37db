import Foundation

/// A process that cannot be confused with a later one reusing its PID: the
/// PID together with the kernel's start time of the process.
public struct ProcessIdentity: Codable, Sendable, Hashable {
    public var pid: Int32
    /// Clock ticks after boot (field 22 of `/proc/<pid>/stat`).
    public var startTime: UInt64

    public init(pid: Int32, startTime: UInt64) {
        self.pid = pid
        self.startTime = startTime
    }

    /// This process.
    public static func current() -> ProcessIdentity? {
        startTime(of: getpid()).map { ProcessIdentity(pid: getpid(), startTime: $0) }
    }

    /// Whether this very process still runs (a reused PID has another start time).
    public var isAlive: Bool {
        Self.startTime(of: pid) == startTime
    }

    static func startTime(of pid: Int32) -> UInt64? {
        // Read to the end: /proc files report a size of zero, which whole-file readers trust.
        guard let handle = FileHandle(forReadingAtPath: "/proc/\(pid)/stat"), let data = try? handle.readToEnd() else { return nil }
        let stat = String(decoding: data, as: UTF8.self)
        guard let close = stat.lastIndex(of: ")") else { return nil }
        // The command name may hold spaces and parentheses: count fields after its last ')'.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3), so field 22 is fields[19].
        guard fields.count > 19, fields[0] != "Z" else { return nil }
        return UInt64(fields[19])
    }
}
