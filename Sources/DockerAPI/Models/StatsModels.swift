/// The raw `GET /containers/{id}/stats` sample (cgroup v1 and v2).
struct RawStats: Decodable, Sendable {
    struct CPUUsage: Decodable, Sendable {
        var totalUsage: UInt64
        var percpuUsage: [UInt64]?
        enum CodingKeys: String, CodingKey {
            case totalUsage = "total_usage", percpuUsage = "percpu_usage"
        }
    }

    struct CPUStats: Decodable, Sendable {
        var cpuUsage: CPUUsage
        var systemCPUUsage: UInt64?
        var onlineCPUs: Int?
        enum CodingKeys: String, CodingKey {
            case cpuUsage = "cpu_usage", systemCPUUsage = "system_cpu_usage", onlineCPUs = "online_cpus"
        }
    }

    struct MemoryStats: Decodable, Sendable {
        var usage: UInt64?
        var limit: UInt64?
        var stats: [String: UInt64]?
    }

    struct NetworkStats: Decodable, Sendable {
        var rxBytes: UInt64
        var txBytes: UInt64
        enum CodingKeys: String, CodingKey {
            case rxBytes = "rx_bytes", txBytes = "tx_bytes"
        }
    }

    struct BlkioEntry: Decodable, Sendable {
        var op: String
        var value: UInt64
    }

    struct BlkioStats: Decodable, Sendable {
        var ioServiceBytesRecursive: [BlkioEntry]?
        enum CodingKeys: String, CodingKey {
            case ioServiceBytesRecursive = "io_service_bytes_recursive"
        }
    }

    struct PidsStats: Decodable, Sendable {
        var current: UInt64?
        var limit: UInt64?
    }

    var read: String?
    var cpuStats: CPUStats
    var precpuStats: CPUStats
    var memoryStats: MemoryStats
    var networks: [String: NetworkStats]?
    var blkioStats: BlkioStats?
    var pidsStats: PidsStats?

    enum CodingKeys: String, CodingKey {
        case read, cpuStats = "cpu_stats", precpuStats = "precpu_stats", memoryStats = "memory_stats",
            networks, blkioStats = "blkio_stats", pidsStats = "pids_stats"
    }
}

/// A container's resource usage, computed the way `docker stats` shows it.
public struct ContainerStats: Sendable, Hashable {
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
    /// When the daemon took the sample (RFC 3339).
    public var readAt: String?

    init(_ raw: RawStats) {
        let cpuDelta = Double(raw.cpuStats.cpuUsage.totalUsage) - Double(raw.precpuStats.cpuUsage.totalUsage)
        let systemDelta = Double(raw.cpuStats.systemCPUUsage ?? 0) - Double(raw.precpuStats.systemCPUUsage ?? 0)
        var onlineCPUs = Double(raw.cpuStats.onlineCPUs ?? 0)
        if onlineCPUs == 0 {
            onlineCPUs = Double(raw.cpuStats.cpuUsage.percpuUsage?.count ?? 0)
        }
        cpuPercent = (cpuDelta > 0 && systemDelta > 0) ? cpuDelta / systemDelta * onlineCPUs * 100 : 0

        // As the CLI: cgroup v1 subtracts total_inactive_file, v2 inactive_file, when smaller than usage.
        let usage = raw.memoryStats.usage ?? 0
        let stats = raw.memoryStats.stats ?? [:]
        var cache: UInt64 = 0
        if let inactive = stats["total_inactive_file"], inactive < usage {
            cache = inactive
        } else if let inactive = stats["inactive_file"], inactive < usage {
            cache = inactive
        }
        memoryUsageBytes = usage - cache
        memoryLimitBytes = raw.memoryStats.limit ?? 0
        memoryPercent = memoryLimitBytes > 0 ? Double(memoryUsageBytes) / Double(memoryLimitBytes) * 100 : 0

        let networks = raw.networks?.values ?? [:].values
        networkReceivedBytes = networks.reduce(0) { $0 + $1.rxBytes }
        networkSentBytes = networks.reduce(0) { $0 + $1.txBytes }

        let io = raw.blkioStats?.ioServiceBytesRecursive ?? []
        blockReadBytes = io.filter { $0.op.lowercased() == "read" }.reduce(0) { $0 + $1.value }
        blockWrittenBytes = io.filter { $0.op.lowercased() == "write" }.reduce(0) { $0 + $1.value }
        pids = raw.pidsStats?.current ?? 0
        readAt = raw.read
    }
}
