import BenchSupport
import Dispatch
import Foundation
import IsolationCore

#if canImport(Glibc)
    import Glibc
#endif

/// `venv-bench`: the virtualenv engine against uv, venv + pip and
/// virtualenv, in one run. See bench/README.md.
@main
struct VenvBench {
    static func main() async {
        await benchMain("venv-bench", run)
    }

    static func run(_ options: BenchOptions) async throws {
        let workspace = try Workspace(
            parent: options.workdir.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory)
        // Ctrl-C or SIGTERM stops the measuring, not the cleanup below.
        let (outcome, interrupted) = await measuringUntilInterrupted { try await measure(options, workspace) }
        // Everything the run made — venvs, the engine's state directory and templates, the tools' caches — is in here.
        do {
            try workspace.removeAll()
        } catch {
            diagnostic("venv-bench: could not remove \(workspace.root.path): \(error)")
        }

        // A cancelled engine call surfaces as its own error; the run was still interrupted.
        if interrupted, case .failure = outcome { throw CancellationError() }
        let report = try outcome.get()
        print(report.table)
        if let path = options.jsonPath {
            try report.write(to: path)
            diagnostic("venv-bench: wrote \(path)")
        }
    }

    private static func measure(_ options: BenchOptions, _ workspace: Workspace) async throws -> BenchReport {
        let loadBefore = BenchReport.currentLoad()
        let tools = try await Tools.locate(python: options.python, environment: workspace.environment)
        try await Wheels.make(in: workspace, python: tools.python)

        // One long-lived manager, as the pytest plugin holds it; its template builds use the real uv, not a shim.
        var engineEnvironment = workspace.environment
        engineEnvironment["PTEST_ISO_UV"] = tools.uv
        let manager = try await IsolationManager.open(
            configuration: .init(
                home: workspace.home, session: "venv-bench-\(UUID().uuidString.prefix(8).lowercased())", environment: engineEnvironment),
            engines: [VirtualenvEngine(home: workspace.home, environment: engineEnvironment)]
        )
        let engine = EngineCreateMethod(manager: manager, workspace: workspace)
        var methods: [any VenvMethod] = [engine]
        methods += ToolMethod.baselines(
            tools, workspace, withPipIterations: min(options.withPipIterations, options.iterations), only: options.scenarios)

        // Warm every cache once, untimed: the engine's template, uv's cache, virtualenv's app data, the page cache.
        var warmups: [Scenario: Duration] = [:]
        for method in methods {
            diagnostic("venv-bench: warming \(method.scenario.rawValue)")
            warmups[method.scenario] = try await method.warm()
        }
        let restore = try await RestoreMethod.prepare(
            manager, spec: engine.spec, name: "venv-bench-\(UUID().uuidString.prefix(8).lowercased())")
        warmups[.restore] = try await restore.warm()
        methods.insert(restore, at: 1)
        // The engine's warm-up builds the template the restore scenario needs, so it always runs; its timing may not.
        methods.removeAll { !options.scenarios.contains($0.scenario) }

        let runner = BenchRunner(methods: methods, iterations: options.iterations)
        let samples = try await runner.measure()
        try await manager.deleteSnapshot(restore.snapshot)
        return BenchReport(
            samples: samples,
            stageNames: Dictionary(uniqueKeysWithValues: methods.map { ($0.scenario, $0.stageNames) }),
            warmups: warmups, tools: tools, workspace: workspace, engineInterpreter: restore.interpreter, iterations: options.iterations,
            loadAverage: [loadBefore, BenchReport.currentLoad()].compactMap { $0 }
        )
    }
}
