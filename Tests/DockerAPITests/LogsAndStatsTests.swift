import DockerAPI
import Foundation
import Testing

@Suite struct LogsAndStatsTests {
    static func talker() -> ContainerSpec {
        var spec = TestDocker.sleeper()
        spec.command = ["sh", "-c", "for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; done; sleep 3600"]
        return spec
    }

    static func waitForLogs(_ client: DockerClient, _ id: String, lines: Int) async throws -> ContainerLogs {
        for _ in 0..<100 {
            let logs = try await client.containerLogs(id)
            if logs.stdout.split(separator: UInt8(ascii: "\n")).count >= lines { return logs }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await client.containerLogs(id)
    }

    @Test func logsKeepStdoutAndStderrApart() async throws {
        try await TestDocker.withClient { client in
            try await TestDocker.withContainer(client, Self.talker()) { id in
                let logs = try await Self.waitForLogs(client, id, lines: 5)
                #expect(String(decoding: logs.stdout, as: UTF8.self) == "out1\nout2\nout3\nout4\nout5\n")
                #expect(String(decoding: logs.stderr, as: UTF8.self) == "err1\nerr2\nerr3\nerr4\nerr5\n")

                let onlyStderr = try await client.containerLogs(id, options: .init(stdout: false))
                #expect(onlyStderr.stdout.isEmpty)
                #expect(String(decoding: onlyStderr.stderr, as: UTF8.self) == "err1\nerr2\nerr3\nerr4\nerr5\n")

                let future = try await client.containerLogs(id, options: .init(since: Date().timeIntervalSince1970 + 60))
                #expect(future.chunks.isEmpty)
            }
        }
    }

    @Test func tailAndTimestampsSelectTheLastLines() async throws {
        try await TestDocker.withClient { client in
            var spec = TestDocker.sleeper()
            // One stream only: the daemon counts `tail` lines before it filters by stream.
            spec.command = ["sh", "-c", "for i in 1 2 3 4 5; do echo line$i; done; sleep 3600"]
            try await TestDocker.withContainer(client, spec) { id in
                _ = try await Self.waitForLogs(client, id, lines: 5)
                let tail = try await client.containerLogs(id, options: .init(tail: 2))
                #expect(String(decoding: tail.stdout, as: UTF8.self) == "line4\nline5\n")
                let stamped = try await client.containerLogs(id, options: .init(tail: 1, timestamps: true))
                let line = String(decoding: stamped.stdout, as: UTF8.self)
                #expect(line.hasSuffix(" line5\n"))
                #expect(line.hasPrefix("20"))
            }
        }
    }

    @Test func followingLogsDeliversLinesAsTheyAreWritten() async throws {
        try await TestDocker.withClient { client in
            var spec = TestDocker.sleeper()
            spec.command = ["sh", "-c", "for i in 1 2 3; do echo tick$i; sleep 0.2; done; echo bye >&2"]
            try await TestDocker.withContainer(client, spec) { id in
                var stdout = ""
                var stderr = ""
                for try await chunk in try await client.followContainerLogs(id) {
                    switch chunk.stream {
                    case .stderr: stderr += String(decoding: chunk.data, as: UTF8.self)
                    default: stdout += String(decoding: chunk.data, as: UTF8.self)
                    }
                }
                // The stream ends by itself when the container exits.
                #expect(stdout == "tick1\ntick2\ntick3\n")
                #expect(stderr == "bye\n")
            }
        }
    }

    @Test func oneShotStatsAreComputedLikeDockerStats() async throws {
        try await TestDocker.withClient { client in
            var spec = TestDocker.sleeper()
            spec.command = ["sh", "-c", "while true; do :; done"]
            spec.resources.memoryBytes = 128 << 20
            try await TestDocker.withContainer(client, spec) { id in
                let stats = try await client.containerStats(id)
                #expect(stats.cpuPercent > 1)
                #expect(stats.memoryUsageBytes > 0)
                #expect(stats.memoryLimitBytes == 128 << 20)
                #expect(stats.memoryPercent > 0 && stats.memoryPercent < 100)
                #expect(stats.pids >= 1)
                #expect(stats.readAt != nil)
            }
        }
    }

    @Test func streamingStatsDeliversSuccessiveSamples() async throws {
        try await TestDocker.withClient { client in
            var spec = TestDocker.sleeper()
            spec.command = ["sh", "-c", "ping -i 0.1 127.0.0.1 >/dev/null & sleep 3600"]
            try await TestDocker.withContainer(client, spec) { id in
                var samples: [ContainerStats] = []
                for try await sample in try await client.streamContainerStats(id) {
                    samples.append(sample)
                    if samples.count == 3 { break }
                }
                #expect(samples.count == 3)
                #expect(Set(samples.compactMap(\.readAt)).count == 3)
                #expect(samples.last!.pids >= 2)
                #expect(samples.last!.networkReceivedBytes >= samples.first!.networkReceivedBytes)
            }
        }
    }
}
