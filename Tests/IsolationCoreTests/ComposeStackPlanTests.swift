import Foundation
import Testing

@testable import IsolationCore

/// Which services a stack starts, in what order, and its main service: decided before anything exists.
@Suite struct ComposeStackPlanTests {
    func service(_ name: String, dependsOn: [String] = [], ports: [Int] = [], labels: [String: String] = [:], profiles: [String] = [])
        -> ComposeService
    {
        var service = ComposeService(name: name)
        service.image = "ptest-iso-test/busybox:latest"
        service.dependsOn = Dictionary(uniqueKeysWithValues: dependsOn.map { ($0, .serviceStarted) })
        service.ports = ports.map { ComposePort(target: $0) }
        service.labels = labels
        service.profiles = profiles
        return service
    }

    func project(_ services: [ComposeService]) -> ComposeProject {
        ComposeProject(name: "plan", workingDirectory: "/tmp", configFiles: ["/tmp/docker-compose.yml"], services: services)
    }

    @Test func dependenciesStartFirstAndOtherwiseFileOrderHolds() throws {
        let plan = try ComposeStackPlan(
            project: project([
                service("web", dependsOn: ["db", "cache"], ports: [80]), service("cache"), service("db", dependsOn: ["cache"]),
            ]),
            compose: ComposeSpec(files: ["x"]))
        #expect(plan.order.map(\.name) == ["cache", "db", "web"])
        #expect(plan.waves.map { $0.map(\.name) } == [["cache"], ["db"], ["web"]])
        #expect(plan.main.name == "web")
        let fan = try ComposeStackPlan(
            project: project([service("web", dependsOn: ["db", "cache"]), service("db"), service("cache"), service("docs")]),
            compose: ComposeSpec(files: ["x"]))
        #expect(fan.waves.map { $0.map(\.name) } == [["db", "cache", "docs"], ["web"]])
    }

    @Test func namedServicesBringWhatTheyDependOnAndNothingElse() throws {
        let plan = try ComposeStackPlan(
            project: project([service("web", dependsOn: ["db"]), service("db"), service("docs", ports: [8000])]),
            compose: ComposeSpec(files: ["x"], services: ["web"]))
        #expect(plan.order.map(\.name) == ["db", "web"])
        #expect(plan.main.name == "db")
    }

    @Test func theMainServiceIsNamedLabelledOrTheFirstWithPorts() throws {
        let services = [service("a"), service("b", ports: [1]), service("c", labels: ["ptest-iso.main": "true"])]
        #expect(try ComposeStackPlan(project: project(services), compose: ComposeSpec(files: ["x"])).main.name == "c")
        #expect(try ComposeStackPlan(project: project(Array(services.prefix(2))), compose: ComposeSpec(files: ["x"])).main.name == "b")
        #expect(try ComposeStackPlan(project: project(services), compose: ComposeSpec(files: ["x"], main: "a")).main.name == "a")
    }

    @Test func profilesLeaveServicesOutUnlessActiveOrNeeded() throws {
        let services = [service("app", dependsOn: ["seed"]), service("seed", profiles: ["data"]), service("debug", profiles: ["tools"])]
        let plan = try ComposeStackPlan(project: project(services), compose: ComposeSpec(files: ["x"]))
        #expect(plan.order.map(\.name) == ["seed", "app"])
        let withTools = try ComposeStackPlan(project: project(services), compose: ComposeSpec(files: ["x"], profiles: ["tools"]))
        #expect(withTools.order.map(\.name) == ["seed", "app", "debug"])
    }

    @Test func cyclesAndUnknownNamesAreErrorsNamingThem() throws {
        let cycle = #expect(throws: IsolationError.self) {
            try ComposeStackPlan(
                project: project([service("a", dependsOn: ["b"]), service("b", dependsOn: ["a"])]), compose: ComposeSpec(files: ["x"]))
        }
        #expect(cycle?.message.contains("cycle among a, b") == true)
        let unknown = #expect(throws: IsolationError.self) {
            try ComposeStackPlan(project: project([service("web")]), compose: ComposeSpec(files: ["x"], services: ["wbe"]))
        }
        #expect(unknown?.field == "compose.services[0]")
        #expect(unknown?.message.hasSuffix("did you mean 'web'?") == true)
        let dangling = #expect(throws: IsolationError.self) {
            try ComposeStackPlan(project: project([service("web", dependsOn: ["db"])]), compose: ComposeSpec(files: ["x"]))
        }
        #expect(dangling?.message.contains("names 'db', which is not a service") == true)
    }
}
