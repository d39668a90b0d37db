// A short tour of what exists today: the Docker Engine API client running a
// Python test file in an isolated, resource-limited container, then proving
// that nothing it made is left behind. (The Python package and its pytest
// fixtures come later; see the issues.)
import DockerAPI
import Foundation

let session = "demo-\(UUID().uuidString.prefix(8).lowercased())"
let labels = ["ptest-iso.managed": "true", "ptest-iso.session": session]
let filter = ["label": ["ptest-iso.session=\(session)"]]

func step(_ text: String) { print("==> \(text)") }

let configuration = try DockerClient.Configuration.fromEnvironment()
try await withDockerClient(configuration) { docker in
    let version = try await docker.version()
    step("daemon \(configuration.endpoint): Docker \(version.version), Engine API \(docker.apiVersion) negotiated")

    let volume = try await docker.createVolume(VolumeSpec(name: "\(session)-data", labels: labels))
    let network = try await docker.createNetwork(NetworkSpec(name: "\(session)-net", isInternal: true, labels: labels))
    var spec = ContainerSpec(image: "ptest-iso-test/python:bookworm")
    spec.command = ["sleep", "infinity"]
    spec.labels = labels
    spec.networkMode = "\(session)-net"
    spec.mounts = [.volume(volume.name, at: "/data"), .tmpfs(at: "/tmp")]
    spec.resources = .init(memoryBytes: 256 << 20, nanoCPUs: 1_000_000_000, pidsLimit: 128)
    spec.security.capDrop = ["ALL"]
    let container = try await docker.createContainer(spec).id
    try await docker.startContainer(container)
    step("container \(container.prefix(12)) on an internal network, 256 MiB, 1 CPU, 128 pids, no capabilities")

    let work = FileManager.default.temporaryDirectory.appendingPathComponent(session)
    let tests = work.appendingPathComponent("tests")
    try FileManager.default.createDirectory(at: tests, withIntermediateDirectories: true)
    try """
    import pathlib, sys, unittest

    class Isolation(unittest.TestCase):
        def test_inside_a_container(self):
            self.assertTrue(pathlib.Path("/proc/1/cgroup").read_text())

        def test_memory_limit(self):
            for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
                try:
                    self.assertEqual(int(pathlib.Path(path).read_text()), 256 * 1024 * 1024)
                    return
                except FileNotFoundError:
                    pass
            self.fail("no cgroup memory file")

    if __name__ == "__main__":
        print("python", sys.version.split()[0])
        unittest.main(verbosity=2)
    """.write(to: tests.appendingPathComponent("test_isolation.py"), atomically: true, encoding: .utf8)
    try await docker.copyIn(container, from: tests, to: "/data")
    let run = try await docker.exec(container, ExecOptions(["python3", "/data/tests/test_isolation.py"], workingDirectory: "/data"))
    step("ran the test file in the container: exit \(run.exitCode) in \(run.duration.formatted(.units(allowed: [.milliseconds])))")
    print(run.stdoutText + run.stderrText, terminator: "")

    let slow = try await docker.exec(container, ExecOptions(["sh", "-c", "sleep 60 & sleep 61"], timeout: .seconds(1)))
    step("a command past its 1 s timeout: timed out = \(slow.timedOut), exit \(slow.exitCode) (its whole process group killed)")

    let stats = try await docker.containerStats(container)
    step(
        String(
            format: "stats: %.1f%% CPU, %.1f MiB of %.0f MiB, %d pids", stats.cpuPercent,
            Double(stats.memoryUsageBytes) / 1_048_576, Double(stats.memoryLimitBytes) / 1_048_576, stats.pids))

    try await docker.removeContainer(container, force: true, removeVolumes: true)
    try await docker.removeNetwork(network)
    try await docker.removeVolume(volume.name)
    try? FileManager.default.removeItem(at: work)

    let containers = try await docker.listContainers(all: true, filters: filter)
    let volumes = try await docker.listVolumes(filters: filter)
    let networks = try await docker.listNetworks(filters: filter)
    step("left behind by session \(session): \(containers.count) containers, \(volumes.count) volumes, \(networks.count) networks")
    guard containers.isEmpty, volumes.isEmpty, networks.isEmpty else {
        print("LEAK: resources of \(session) remain")
        exit(1)
    }
}
