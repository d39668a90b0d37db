import DockerAPI

/// A container's logs are what its main process writes; commands run
/// through exec are not in them unless they write to `/proc/1/fd/1`.
extension DockerEngine: ObservableEngine {
    public func logs(_ environment: Environment, tail: Int?) async throws -> [LogChunk] {
        try await withClient { client in
            try await client.containerLogs(environment.location, options: DockerClient.LogOptions(tail: tail)).chunks
                .compactMap(LogChunk.init)
        }
    }

    public func followLogs(
        _ environment: Environment, tail: Int?, _ body: @Sendable (LogChunk) async throws -> Void
    ) async throws {
        try await withClient { client in
            let stream = try await client.followContainerLogs(environment.location, options: DockerClient.LogOptions(tail: tail))
            for try await chunk in stream {
                if let chunk = LogChunk(chunk) { try await body(chunk) }
            }
        }
    }

    public func stats(_ environment: Environment) async throws -> EnvironmentStats {
        let sample = try await withClient { try await $0.containerStats(environment.location) }
        return EnvironmentStats(
            cpuPercent: sample.cpuPercent, memoryUsageBytes: sample.memoryUsageBytes, memoryLimitBytes: sample.memoryLimitBytes,
            memoryPercent: sample.memoryPercent, networkReceivedBytes: sample.networkReceivedBytes,
            networkSentBytes: sample.networkSentBytes, blockReadBytes: sample.blockReadBytes,
            blockWrittenBytes: sample.blockWrittenBytes, pids: sample.pids)
    }
}

extension LogChunk {
    /// `nil` for stdin frames, which a log never holds.
    init?(_ chunk: OutputChunk) {
        switch chunk.stream {
        case .stdout: self.init(stream: .stdout, data: chunk.data)
        case .stderr: self.init(stream: .stderr, data: chunk.data)
        case .stdin: return nil
        }
    }
}
