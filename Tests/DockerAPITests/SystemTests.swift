import DockerAPI
import Foundation
import Testing

@Suite struct SystemTests {
    @Test func pingReportsTheDaemonsAPIVersion() async throws {
        try await TestDocker.withClient { client in
            let ping = try await client.ping()
            let server = try #require(ping.apiVersion)
            #expect(ping.osType == "linux")
            // Negotiation picks what the server offers when it is within our range.
            #expect(client.apiVersion == min(server, APIVersion.maximumSupported))
        }
    }

    @Test func versionAndInfoDescribeTheDaemon() async throws {
        try await TestDocker.withClient { client in
            let version = try await client.version()
            #expect(APIVersion(version.apiVersion) != nil)
            #expect(!version.version.isEmpty)
            let info = try await client.info()
            #expect((info.nCPU ?? 0) > 0)
            #expect((info.memTotal ?? 0) > 0)
            #expect(info.driver != nil)
        }
    }

    @Test func negotiationPicksTheLowerOfBothMaximums() throws {
        #expect(try APIVersion.negotiate(server: APIVersion(1, 41), serverMinimum: nil) == APIVersion(1, 41))
        #expect(try APIVersion.negotiate(server: APIVersion(1, 99), serverMinimum: APIVersion(1, 24)) == APIVersion.maximumSupported)
    }

    @Test func negotiationRefusesDisjointRanges() throws {
        let tooOld = #expect(throws: DockerError.self) {
            try APIVersion.negotiate(server: APIVersion(1, 30), serverMinimum: nil)
        }
        #expect(tooOld?.code == .apiVersionUnsupported)
        #expect(tooOld?.message.contains("upgrade Docker") == true)
        let tooNew = #expect(throws: DockerError.self) {
            try APIVersion.negotiate(server: APIVersion(2, 5), serverMinimum: APIVersion(2, 0))
        }
        #expect(tooNew?.code == .apiVersionUnsupported)
    }

    @Test func aClientRangeAboveTheDaemonIsRefusedOnConnect() async throws {
        var configuration = try TestDocker.configuration()
        configuration.supportedVersions = APIVersion(1, 90)...APIVersion(1, 99)
        let error = await #expect(throws: DockerError.self) {
            try await DockerClient.connect(configuration).shutdown()
        }
        #expect(error?.code == .apiVersionUnsupported)
    }

    @Test func aPinnedVersionIsUsedForEveryRequest() async throws {
        var configuration = try TestDocker.configuration()
        configuration.pinnedAPIVersion = APIVersion(1, 40)
        try await withDockerClient(configuration) { client in
            #expect(client.apiVersion == APIVersion(1, 40))
            _ = try await client.listContainers()
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aMissingSocketIsReportedAsUnreachable() async throws {
        let configuration = DockerClient.Configuration(endpoint: .unixSocket("/tmp/ptest-iso-no-daemon-\(UUID().uuidString).sock"))
        let error = await #expect(throws: DockerError.self) {
            try await DockerClient.connect(configuration).shutdown()
        }
        #expect(error?.code == .daemonUnreachable)
        #expect(error?.message.contains("ptest-iso-no-daemon") == true)
        #expect(error?.message.contains("DOCKER_HOST") == true)
    }

    @Test(.timeLimit(.minutes(5)))
    func aClosedTCPPortIsReportedAsUnreachable() async throws {
        let configuration = DockerClient.Configuration(endpoint: try DockerEndpoint.parse(host: "tcp://127.0.0.1:1"))
        let error = await #expect(throws: DockerError.self) {
            try await DockerClient.connect(configuration).shutdown()
        }
        #expect(error?.code == .daemonUnreachable)
        #expect(error?.message.contains("127.0.0.1:1") == true)
    }

    @Test(.timeLimit(.minutes(5)))
    func eventsStreamReportsALabelledContainersLifecycle() async throws {
        try await TestDocker.withClient { client in
            let marker = UUID().uuidString
            var spec = TestDocker.sleeper()
            spec.labels["ptest-iso.events"] = marker
            // Subscribe first: the daemon replays only its last 256 events, which a busy test run overruns.
            let stream = try await client.events(
                EventFilter(filters: ["type": ["container"], "label": ["ptest-iso.events=\(marker)"]])
            )
            async let observed: [DockerEvent] = {
                var events: [DockerEvent] = []
                for try await event in stream {
                    events.append(event)
                    if event.action == "destroy" { break }
                }
                return events
            }()
            let id = try await TestDocker.withContainer(client, spec) { id in id }
            let events = try await observed
            #expect(events.allSatisfy { $0.actor.id == id && $0.actor.attributes?["ptest-iso.events"] == marker })
            let actions = events.map(\.action)
            #expect(actions.first == "create")
            #expect(actions.contains("start"))
            #expect(actions.last == "destroy")

            // A bounded replay: `until` ends the stream by itself.
            let replay = try await client.events(
                EventFilter(
                    since: Date().timeIntervalSince1970 - 60, until: Date().timeIntervalSince1970,
                    filters: ["type": ["container"], "label": ["ptest-iso.events=\(marker)"]])
            )
            var replayed = 0
            for try await _ in replay { replayed += 1 }
            #expect(replayed <= events.count)
        }
    }
}
