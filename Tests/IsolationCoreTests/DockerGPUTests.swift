import Foundation
import TestSupport
import Testing

@testable import DockerAPI
@testable import IsolationCore

/// `resources.gpus`: this machine has no GPU, so the request is checked in the create body,
/// and the daemon's refusal is checked to name the field.
@Suite struct DockerGPUTests {
    @Test func aGPUCountBecomesADeviceRequestInTheCreateBody() throws {
        var container = ContainerSpec(image: DockerEngineTests.busybox)
        container.resources = try DockerEngine.containerResources(ResourceLimits(memory: "64m", gpus: 2))
        let body = try JSONSerialization.jsonObject(with: DockerJSON.encode(ContainerCreateBody(container))) as? [String: Any]
        let hostConfig = try #require(body?["HostConfig"] as? [String: Any])
        let requests = try #require(hostConfig["DeviceRequests"] as? [[String: Any]])
        #expect(requests.count == 1)
        #expect(requests.first?["Driver"] as? String == "")
        #expect(requests.first?["Count"] as? Int == 2)
        #expect(requests.first?["Capabilities"] as? [[String]] == [["gpu"]])
        #expect(hostConfig["Memory"] as? Int == 64 << 20)
        // No GPUs asked, no device request sent.
        let plain = try DockerEngine.containerResources(ResourceLimits(memory: "64m"))
        #expect(plain.gpus == nil)
    }

    @Test func aGPUCountBelowOneIsRefused() throws {
        let error = #expect(throws: IsolationError.self) {
            try EnvironmentSpec(image: DockerEngineTests.busybox, resources: ResourceLimits(gpus: 0)).validate()
        }
        #expect(error?.message.hasPrefix("resources.gpus: 0") == true)
    }

    @Test func aHostWithoutGPUsRefusesWithAnErrorNamingTheField() async throws {
        let home = try TestHome("docker-gpu")
        let manager = try await IsolationManager.open(
            configuration: .init(home: home.url, session: "docker-gpu-tests"), engines: [DockerEngine()])
        let error = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(image: DockerEngineTests.busybox, resources: ResourceLimits(gpus: 1)))
        }
        #expect(error?.code == .invalidSpec)
        #expect(error?.message.hasPrefix("resources.gpus: the Docker daemon cannot give GPUs") == true, "\(String(describing: error))")
        let left = try await withDockerClient(try .fromEnvironment()) {
            try await $0.listContainers(all: true, filters: ["label": ["ptest-iso.session=docker-gpu-tests"]])
        }
        #expect(left.isEmpty)
    }
}
