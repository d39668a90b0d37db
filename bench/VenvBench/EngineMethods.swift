import BenchSupport
import Foundation
import IsolationCore

/// The engine under test: `manager.create` on one long-lived
/// `IsolationManager`, as the pytest plugin holds it, hitting the template
/// the warm-up built.
struct EngineCreateMethod: VenvMethod {
    let manager: IsolationManager
    let spec: EnvironmentSpec
    let scenario = Scenario.engine
    let stageNames: [String] = []

    init(manager: IsolationManager, workspace: Workspace) {
        self.manager = manager
        spec = EnvironmentSpec(requirements: Workspace.packages, findLinks: [workspace.wheels.path], offline: true)
    }

    /// Builds the template (a miss).
    func warm() async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        let environment = try await manager.create(spec)
        let elapsed = clock.now - start
        try await manager.destroy(environment.id)
        return elapsed
    }

    func iteration(_ index: Int, verify: Bool) async throws -> Sample {
        let clock = ContinuousClock()
        let start = clock.now
        let environment = try await manager.create(spec)
        let elapsed = clock.now - start
        guard environment.details["template"] == "hit" else {
            try? await manager.destroy(environment.id)
            throw BenchFailure("\(scenario.rawValue): expected a template hit, got '\(environment.details["template"] ?? "nothing")'")
        }
        if verify { try await EngineCheck.imports(manager, environment.id, scenario) }
        try await manager.destroy(environment.id)
        return Sample(total: elapsed, stages: [])
    }
}

/// `manager.restore` of a snapshot taken once, untimed, of an env the engine made.
struct RestoreMethod: VenvMethod {
    let manager: IsolationManager
    let snapshot: String
    /// The interpreter the engine chose for the snapshotted env.
    let interpreter: String
    let scenario = Scenario.restore
    let stageNames: [String] = []

    /// Makes an env from the (warm) template, snapshots it and destroys it; untimed.
    static func prepare(_ manager: IsolationManager, spec: EnvironmentSpec, name: String) async throws -> RestoreMethod {
        let environment = try await manager.create(spec)
        let snapshot = try await manager.snapshot(environment.id, name: name)
        try await manager.destroy(environment.id)
        return RestoreMethod(manager: manager, snapshot: snapshot.name, interpreter: environment.details["interpreter"] ?? "?")
    }

    func warm() async throws -> Duration {
        try await iteration(-1, verify: true).total
    }

    func iteration(_ index: Int, verify: Bool) async throws -> Sample {
        let clock = ContinuousClock()
        let start = clock.now
        let environment = try await manager.restore(snapshot)
        let elapsed = clock.now - start
        if verify { try await EngineCheck.imports(manager, environment.id, scenario) }
        try await manager.destroy(environment.id)
        return Sample(total: elapsed, stages: [])
    }
}

enum EngineCheck {
    /// Checks, untimed, through `manager.run`, that the env imports the three packages.
    static func imports(_ manager: IsolationManager, _ id: String, _ scenario: Scenario) async throws {
        let result = try await manager.run(id, Command(["python", "-I", "-c", Workspace.importCheck]), timeout: .seconds(60))
        let text = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.exitCode == 0, text == "0.1.0 0.1.0 0.1.0" else {
            throw BenchFailure(
                "\(scenario.rawValue): env \(id) does not import \(Workspace.packages.joined(separator: ", ")) "
                    + "(exit \(result.exitCode)): \(result.stderrText)\(text)")
        }
    }
}
