import DockerAPI
import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

@Suite struct ContainerTests {
    @Test func lifecycleMovesThroughEveryState() async throws {
        try await TestDocker.withClient { client in
            try await TestDocker.withContainer(client, start: false) { id in
                #expect(try await client.inspectContainer(id).state.status == "created")
                try await client.startContainer(id)
                try await client.startContainer(id)  // already running: not an error
                #expect(try await client.inspectContainer(id).state.running)
                try await client.pauseContainer(id)
                #expect(try await client.inspectContainer(id).state.paused)
                try await client.unpauseContainer(id)
                #expect(try await client.inspectContainer(id).state.paused == false)
                let firstStart = try await client.inspectContainer(id).state.startedAt
                try await client.restartContainer(id, timeoutSeconds: 1)
                let restarted = try await client.inspectContainer(id).state
                #expect(restarted.running)
                #expect(restarted.startedAt != firstStart)
                try await client.killContainer(id, signal: "SIGKILL")
                let waited = try await client.waitContainer(id)
                #expect(waited.statusCode == 137)
                #expect(try await client.inspectContainer(id).state.running == false)
                try await client.stopContainer(id)  // already stopped: not an error
            }
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aWaitPastItsDeadlineIsATimeoutAndLeavesTheContainerAlone() async throws {
        try await TestDocker.withClient { client in
            try await TestDocker.withContainer(client) { id in
                let error = await #expect(throws: DockerError.self) {
                    try await client.waitContainer(id, timeout: .milliseconds(300))
                }
                #expect(error?.code == .timeout)
                let state = try await client.inspectContainer(id).state
                #expect(state.running)
            }
        }
    }

    @Test func stopSendsTheStopSignalAndReportsTheExitCode() async throws {
        try await TestDocker.withClient { client in
            var spec = TestDocker.sleeper()
            spec.command = ["sh", "-c", "trap 'exit 7' TERM; touch /tmp/trapped; while true; do sleep 0.1; done"]
            try await TestDocker.withContainer(client, spec) { id in
                // A TERM that arrives before the trap is set is ignored (the shell is PID 1): wait for it.
                for _ in 0..<100 where try await client.exec(id, ExecOptions(["test", "-e", "/tmp/trapped"])).exitCode != 0 {
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await client.stopContainer(id, timeoutSeconds: 5)
                let state = try await client.inspectContainer(id).state
                #expect(state.exitCode == 7)
            }
        }
    }

    @Test func removeDeletesTheContainerAndUnknownIdsAreNotFound() async throws {
        try await TestDocker.withClient { client in
            let id = try await client.createContainer(TestDocker.sleeper()).id
            try await client.removeContainer(id, force: true)
            let error = await #expect(throws: DockerError.self) { try await client.inspectContainer(id) }
            #expect(error?.code == .notFound)
            #expect(error?.httpStatus == 404)
        }
    }

    @Test func anUnknownImageIsNotFoundAndADuplicateNameIsAConflict() async throws {
        try await TestDocker.withClient { client in
            let missing = await #expect(throws: DockerError.self) {
                try await client.createContainer(ContainerSpec(image: "ptest-iso-test/does-not-exist:nope"))
            }
            #expect(missing?.code == .notFound)
            var spec = TestDocker.sleeper()
            spec.name = TestDocker.uniqueName("dup")
            try await TestDocker.withContainer(client, spec, start: false) { _ in
                let duplicate = await #expect(throws: DockerError.self) { try await client.createContainer(spec) }
                #expect(duplicate?.code == .conflict)
                #expect(duplicate?.message.contains(spec.name!) == true)
            }
        }
    }

    @Test func labelFiltersReturnExactlyTheLabelledContainers() async throws {
        try await TestDocker.withClient { client in
            let run = UUID().uuidString
            var labelled = TestDocker.sleeper()
            labelled.labels["ptest-iso.filter"] = run
            var other = TestDocker.sleeper()
            other.labels["ptest-iso.filter"] = "other-\(run)"
            try await TestDocker.withContainer(client, labelled, start: false) { first in
                try await TestDocker.withContainer(client, labelled, start: false) { second in
                    try await TestDocker.withContainer(client, other, start: false) { _ in
                        let found = try await client.listContainers(all: true, filters: ["label": ["ptest-iso.filter=\(run)"]])
                        #expect(Set(found.map(\.id)) == [first, second])
                        #expect(found.allSatisfy { $0.labels?["ptest-iso.filter"] == run })
                        let running = try await client.listContainers(all: false, filters: ["label": ["ptest-iso.filter=\(run)"]])
                        #expect(running.isEmpty)
                    }
                }
            }
        }
    }

    @Test func specFieldsAreVisibleInsideTheContainer() async throws {
        try await TestDocker.withClient { client in
            var spec = TestDocker.sleeper()
            spec.environment = ["GREETING": "hello world", "EMPTY": ""]
            spec.workingDirectory = "/tmp"
            spec.user = "65534:65534"
            spec.hostname = "isolated"
            spec.labels["ptest-iso.role"] = "spec"
            try await TestDocker.withContainer(client, spec) { id in
                #expect(try await TestDocker.shell(client, id, "echo \"$GREETING\"") == "hello world")
                #expect(try await TestDocker.shell(client, id, "pwd") == "/tmp")
                #expect(try await TestDocker.shell(client, id, "id -u; id -g") == "65534\n65534")
                #expect(try await TestDocker.shell(client, id, "hostname") == "isolated")
                let inspect = try await client.inspectContainer(id)
                #expect(inspect.config.labels?["ptest-iso.role"] == "spec")
                #expect(inspect.config.env?.contains("GREETING=hello world") == true)
            }
        }
    }

    @Test func resourceLimitsAreVisibleInTheCgroup() async throws {
        try await TestDocker.withClient { client in
            var spec = TestDocker.sleeper()
            spec.resources = .init(memoryBytes: 64 << 20, memorySwapBytes: 64 << 20, nanoCPUs: 500_000_000, cpuShares: 512, pidsLimit: 42)
            try await TestDocker.withContainer(client, spec) { id in
                // cgroup v2 files first, v1 as the fallback.
                let memory = try await TestDocker.shell(
                    client, id, "cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes"
                )
                #expect(memory == String(64 << 20))
                let pids = try await TestDocker.shell(
                    client, id, "cat /sys/fs/cgroup/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids/pids.max")
                #expect(pids == "42")
                let cpu = try await TestDocker.shell(
                    client, id,
                    "cat /sys/fs/cgroup/cpu.max 2>/dev/null || echo \"$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)\""
                )
                #expect(cpu == "50000 100000")
                let host = try await client.inspectContainer(id).hostConfig
                #expect(host.memory == 64 << 20)
                #expect(host.nanoCpus == 500_000_000)
                #expect(host.cpuShares == 512)
                #expect(host.pidsLimit == 42)
            }
        }
    }

    @Test func securityDefaultsAndOptionsHoldInsideTheContainer() async throws {
        try await TestDocker.withClient { client in
            var spec = TestDocker.sleeper()
            spec.security.readOnlyRootFilesystem = true
            spec.security.capDrop = ["ALL"]
            spec.security.capAdd = ["CHOWN"]
            try await TestDocker.withContainer(client, spec) { id in
                #expect(try await TestDocker.shell(client, id, "grep NoNewPrivs /proc/self/status | tr -d ' \\t'") == "NoNewPrivs:1")
                // CAP_CHOWN is bit 0: the only capability left.
                #expect(try await TestDocker.shell(client, id, "grep CapEff /proc/self/status | tr -d ' \\t'") == "CapEff:0000000000000001")
                let write = try await client.exec(id, ExecOptions(["touch", "/newfile"]))
                #expect(write.exitCode != 0)
                #expect(write.stderrText.contains("Read-only file system"))
                let host = try await client.inspectContainer(id).hostConfig
                #expect(host.readonlyRootfs == true)
                #expect(host.securityOpt == ["no-new-privileges:true"])
            }
            var relaxed = TestDocker.sleeper()
            relaxed.security.noNewPrivileges = false
            let relaxedFlag = try await TestDocker.withContainer(client, relaxed) { id in
                try await TestDocker.shell(client, id, "grep NoNewPrivs /proc/self/status | tr -d ' \\t'")
            }
            #expect(relaxedFlag == "NoNewPrivs:0")
        }
    }

    @Test func mountsBindVolumeAndTmpfs() async throws {
        try await TestDocker.withClient { client in
            let hostDir = try TestDocker.temporaryDirectory("bind")
            defer { try? FileManager.default.removeItem(at: hostDir) }
            try Data("from host\n".utf8).write(to: hostDir.appendingPathComponent("note.txt"))
            let volume = try await client.createVolume(VolumeSpec(name: TestDocker.uniqueName("mnt"), labels: [TestDocker.testLabel: "1"]))
            try await TestDocker.withCleanup({ try await $0.removeVolume(volume.name, force: true) }) {
                var spec = TestDocker.sleeper()
                spec.mounts = [
                    .bind(hostDir.path, at: "/host", readOnly: true),
                    .volume(volume.name, at: "/data"),
                    .tmpfs(at: "/scratch", sizeBytes: 8 << 20, mode: 0o1777),
                ]
                try await TestDocker.withContainer(client, spec) { id in
                    #expect(try await TestDocker.shell(client, id, "cat /host/note.txt") == "from host")
                    let readOnly = try await client.exec(id, ExecOptions(["touch", "/host/x"]))
                    #expect(readOnly.exitCode != 0)
                    _ = try await TestDocker.shell(client, id, "echo kept > /data/v.txt")
                    let tmpfs = try await TestDocker.shell(client, id, "grep ' /scratch ' /proc/mounts")
                    #expect(tmpfs.hasPrefix("tmpfs /scratch tmpfs"))
                    #expect(tmpfs.contains("size=8192k"))
                }
                // The named volume keeps its data after the container is gone.
                var reader = TestDocker.sleeper()
                reader.mounts = [.volume(volume.name, at: "/data")]
                let kept = try await TestDocker.withContainer(client, reader) { id in
                    try await TestDocker.shell(client, id, "cat /data/v.txt")
                }
                #expect(kept == "kept")
            }
        }
    }

    @Test func publishedPortsGetARandomHostPortThatAnswers() async throws {
        try await TestDocker.withClient { client in
            var spec = TestDocker.sleeper()
            spec.command = ["sh", "-c", "mkdir -p /tmp/www && echo served > /tmp/www/index.html && httpd -f -p 8080 -h /tmp/www"]
            spec.ports = [.init(containerPort: 8080)]
            try await TestDocker.withContainer(client, spec) { id in
                let inspect = try await client.inspectContainer(id)
                let hostPort = try #require(inspect.hostPorts(for: 8080).first)
                #expect(hostPort > 0)
                let body = try await fetchWithRetry(URL(string: "http://127.0.0.1:\(hostPort)/index.html")!)
                #expect(body == "served\n")
            }
        }
    }

    @Test func networkModeNoneLeavesOnlyLoopback() async throws {
        try await TestDocker.withClient { client in
            var spec = TestDocker.sleeper()
            spec.networkMode = "none"
            try await TestDocker.withContainer(client, spec) { id in
                let interfaces = try await TestDocker.shell(client, id, "ls /sys/class/net | sort | tr '\\n' ' '")
                #expect(interfaces == "lo")
            }
        }
    }

    @Test func healthcheckTurnsHealthy() async throws {
        try await TestDocker.withClient { client in
            var spec = TestDocker.sleeper()
            spec.healthcheck = .init(
                test: ["CMD-SHELL", "test -f /tmp/ready"], interval: .milliseconds(200), timeout: .seconds(2), retries: 50)
            spec.restartPolicy = .init(name: "on-failure", maximumRetryCount: 2)
            try await TestDocker.withContainer(client, spec) { id in
                #expect(try await client.inspectContainer(id).state.health?.status == "starting")
                _ = try await TestDocker.shell(client, id, "touch /tmp/ready")
                var status = ""
                for _ in 0..<100 {
                    status = try await client.inspectContainer(id).state.health?.status ?? ""
                    if status == "healthy" { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(status == "healthy")
            }
        }
    }

    @Test func gpuRequestsReachTheDaemon() async throws {
        // No GPU here: the daemon must reject the request by name, proving it was sent.
        try await TestDocker.withClient { client in
            var spec = TestDocker.sleeper()
            spec.resources.gpus = .init(count: 1)
            try await TestDocker.withContainer(client, spec, start: false) { id in
                let error = await #expect(throws: DockerError.self) { try await client.startContainer(id) }
                #expect(error?.message.lowercased().contains("gpu") == true || error?.message.contains("device driver") == true)
            }
        }
    }
}

/// Fetches a URL, retrying a few times while the server starts (bounded in count and time).
func fetchWithRetry(_ url: URL, attempts: Int = 50) async throws -> String {
    var lastError: (any Error)?
    for _ in 0..<attempts {
        do {
            let (data, _) = try await URLSession.shared.data(from: url)
            return String(decoding: data, as: UTF8.self)
        } catch {
            lastError = error
            try await Task.sleep(for: .milliseconds(100))
        }
    }
    throw lastError!
}
