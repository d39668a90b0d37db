import DockerAPI
import Foundation
import Testing

@Suite struct NetworkAndVolumeTests {
    @Test func networkCreateInspectListRemove() async throws {
        try await TestDocker.withClient { client in
            let name = TestDocker.uniqueName("net")
            let run = UUID().uuidString
            let id = try await client.createNetwork(
                NetworkSpec(
                    name: name, isInternal: true, labels: [TestDocker.testLabel: "1", "ptest-iso.run": run],
                    subnet: "10.231.7.0/24", gateway: "10.231.7.1", ipRange: "10.231.7.128/25"
                )
            )
            let inspect = try await client.inspectNetwork(id)
            #expect(inspect.name == name)
            #expect(inspect.internal == true)
            #expect(inspect.ipam?.config?.first?.subnet == "10.231.7.0/24")
            #expect(inspect.ipam?.config?.first?.gateway == "10.231.7.1")
            #expect(inspect.ipam?.config?.first?.ipRange == "10.231.7.128/25")
            let listed = try await client.listNetworks(filters: ["label": ["ptest-iso.run=\(run)"]])
            #expect(listed.map(\.id) == [id])
            let duplicate = await #expect(throws: DockerError.self) { try await client.createNetwork(NetworkSpec(name: name)) }
            #expect(duplicate?.code == .conflict)
            try await client.removeNetwork(id)
            let gone = await #expect(throws: DockerError.self) { try await client.inspectNetwork(id) }
            #expect(gone?.code == .notFound)
        }
    }

    @Test func containersOnASharedNetworkReachEachOtherByAlias() async throws {
        try await TestDocker.withClient { client in
            let name = TestDocker.uniqueName("shared")
            let network = try await client.createNetwork(
                NetworkSpec(name: name, labels: [TestDocker.testLabel: "1"], subnet: "10.231.8.0/24"))
            try await TestDocker.withCleanup({ try await $0.removeNetwork(network) }) {
                var server = TestDocker.sleeper()
                server.networkMode = name
                server.networkAliases = ["db"]
                server.command = ["sh", "-c", "mkdir -p /www && echo pong > /www/index.html && httpd -f -p 80 -h /www"]
                try await TestDocker.withContainer(client, server) { _ in
                    // The peer starts on a private network of its own, so it has Docker's embedded DNS.
                    let privateName = TestDocker.uniqueName("private")
                    let privateNetwork = try await client.createNetwork(
                        NetworkSpec(name: privateName, labels: [TestDocker.testLabel: "1"], subnet: "10.231.9.0/24"))
                    try await TestDocker.withCleanup({ try await $0.removeNetwork(privateNetwork) }) {
                        var clientSpec = TestDocker.sleeper()
                        clientSpec.networkMode = privateName
                        try await TestDocker.withContainer(client, clientSpec) { peer in
                            // Not across private networks: the alias does not resolve yet.
                            let before = try await client.exec(peer, ExecOptions(["timeout", "5", "wget", "-q", "-O", "-", "http://db/"]))
                            #expect(before.exitCode != 0)
                            try await client.connectNetwork(
                                name, container: peer, options: .init(aliases: ["app"], ipv4Address: "10.231.8.77"))
                            let reply = try await retrying {
                                try await client.exec(peer, ExecOptions(["timeout", "5", "wget", "-q", "-O", "-", "http://db/"]))
                            }
                            #expect(reply.stdoutText == "pong\n")
                            let ip = try await TestDocker.shell(client, peer, "ip -4 addr | grep -o '10.231.8.77'")
                            #expect(ip == "10.231.8.77")
                            let inspect = try await client.inspectNetwork(network)
                            #expect(inspect.containers?.count == 2)
                            try await client.disconnectNetwork(name, container: peer)
                            #expect(try await client.inspectNetwork(network).containers?.count == 1)
                        }
                    }
                }
            }
        }
    }

    @Test func pruneRemovesOnlyUnusedLabelledNetworks() async throws {
        try await TestDocker.withClient { client in
            let run = UUID().uuidString
            let labels = [TestDocker.testLabel: "1", "ptest-iso.prune": run]
            let unused = try await client.createNetwork(NetworkSpec(name: TestDocker.uniqueName("p1"), labels: labels))
            let other = try await client.createNetwork(NetworkSpec(name: TestDocker.uniqueName("p2"), labels: [TestDocker.testLabel: "1"]))
            try await TestDocker.withCleanup({ try await $0.removeNetwork(other) }) {
                let report = try await client.pruneNetworks(filters: ["label": ["ptest-iso.prune=\(run)"]])
                #expect(report.networksDeleted?.count == 1)
                #expect(try await client.listNetworks(filters: ["id": [unused]]).isEmpty)
                #expect(try await client.inspectNetwork(other).id == other)
            }
        }
    }

    @Test func volumeCreateInspectListRemovePrune() async throws {
        try await TestDocker.withClient { client in
            let run = UUID().uuidString
            let labels = [TestDocker.testLabel: "1", "ptest-iso.run": run]
            let named = try await client.createVolume(VolumeSpec(name: TestDocker.uniqueName("vol"), driverOptions: [:], labels: labels))
            let anonymous = try await client.createVolume(VolumeSpec(labels: labels))
            #expect(!anonymous.name.isEmpty)
            let inspect = try await client.inspectVolume(named.name)
            #expect(inspect.driver == "local")
            #expect(inspect.labels?["ptest-iso.run"] == run)
            let listed = try await client.listVolumes(filters: ["label": ["ptest-iso.run=\(run)"]])
            #expect(Set(listed.map(\.name)) == [named.name, anonymous.name])

            // A volume in use cannot be removed.
            var spec = TestDocker.sleeper()
            spec.mounts = [.volume(named.name, at: "/v")]
            try await TestDocker.withContainer(client, spec, start: false) { _ in
                let busy = await #expect(throws: DockerError.self) { try await client.removeVolume(named.name) }
                #expect(busy?.code == .conflict)
            }
            try await client.removeVolume(named.name)
            let report = try await client.pruneVolumes(filters: ["label": ["ptest-iso.run=\(run)"]])
            #expect(report.volumesDeleted == [anonymous.name])
            #expect(try await client.listVolumes(filters: ["label": ["ptest-iso.run=\(run)"]]).isEmpty)
            let gone = await #expect(throws: DockerError.self) { try await client.inspectVolume(named.name) }
            #expect(gone?.code == .notFound)
        }
    }
}

/// Retries an exec until it succeeds (DNS of a fresh endpoint may lag), bounded in count.
func retrying(attempts: Int = 20, _ body: () async throws -> ExecResult) async throws -> ExecResult {
    var last = try await body()
    for _ in 1..<attempts where last.exitCode != 0 {
        try await Task.sleep(for: .milliseconds(200))
        last = try await body()
    }
    return last
}
