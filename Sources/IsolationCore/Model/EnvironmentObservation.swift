public import Foundation

/// A piece of an environment's log, from the stream it was written to.
public struct LogChunk: Codable, Sendable, Hashable {
    public enum Stream: String, Codable, Sendable {
        case stdout, stderr
    }

    public var stream: Stream
    public var data: Data

    public init(stream: Stream, data: Data) {
        self.stream = stream
        self.data = data
    }

    public var text: String { String(decoding: data, as: UTF8.self) }
}

/// One sample of an environment's resource usage.
public struct EnvironmentStats: Codable, Sendable, Hashable {
    /// Share of one CPU times the number of CPUs (200% = two CPUs busy).
    public var cpuPercent: Double
    /// Memory in use, without the page cache that could be dropped.
    public var memoryUsageBytes: UInt64
    public var memoryLimitBytes: UInt64
    public var memoryPercent: Double
    public var networkReceivedBytes: UInt64
    public var networkSentBytes: UInt64
    public var blockReadBytes: UInt64
    public var blockWrittenBytes: UInt64
    public var pids: UInt64

    public init(
        cpuPercent: Double, memoryUsageBytes: UInt64, memoryLimitBytes: UInt64, memoryPercent: Double, networkReceivedBytes: UInt64,
        networkSentBytes: UInt64, blockReadBytes: UInt64, blockWrittenBytes: UInt64, pids: UInt64
    ) {
        self.cpuPercent = cpuPercent
        self.memoryUsageBytes = memoryUsageBytes
        self.memoryLimitBytes = memoryLimitBytes
        self.memoryPercent = memoryPercent
        self.networkReceivedBytes = networkReceivedBytes
        self.networkSentBytes = networkSentBytes
        self.blockReadBytes = blockReadBytes
        self.blockWrittenBytes = blockWrittenBytes
        self.pids = pids
    }
}
