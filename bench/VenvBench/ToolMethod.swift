import Foundation

/// A baseline: one process per stage, run one after the other on a fresh venv path.
struct ToolMethod: VenvMethod {
    struct Step: Sendable {
        var name: String
        /// The program and its arguments for a venv directory.
        var command: @Sendable (URL) -> (String, [String])
    }

    let scenario: Scenario
    let workspace: Workspace
    let steps: [Step]
    var iterationLimit: Int?
    /// Whether the untimed warm-up run is worth it (ensurepip has no cache to fill).
    var warms = true

    var stageNames: [String] { steps.map(\.name) }

    func warm() async throws -> Duration {
        guard warms else { return .zero }
        return try await iteration(-1, verify: true).total
    }

    func iteration(_ index: Int, verify: Bool) async throws -> Sample {
        let venv = workspace.venv(scenario.rawValue.replacingOccurrences(of: " ", with: ""), index)
        try workspace.remove(venv)
        let clock = ContinuousClock()
        let start = clock.now
        var stages: [Duration] = []
        var last = start
        for step in steps {
            let (executable, arguments) = step.command(venv)
            try await ChildProcess.check(executable, arguments, environment: workspace.environment)
            let now = clock.now
            stages.append(now - last)
            last = now
        }
        let sample = Sample(total: last - start, stages: stages)
        if verify {
            try await workspace.verify(python: venv.appendingPathComponent("bin/python").path, method: scenario.rawValue)
        }
        try workspace.remove(venv)
        return sample
    }
}

extension ToolMethod {
    /// The baselines, as the issue names them.
    static func baselines(_ tools: Tools, _ workspace: Workspace, withPipIterations: Int, only scenarios: Set<Scenario>) -> [ToolMethod] {
        let links = ["--no-index", "--find-links", workspace.wheels.path] + Workspace.packages
        let pipInstall = Step(name: "pip install") { venv in
            (venv.appendingPathComponent("bin/pip").path, ["install", "--quiet", "--disable-pip-version-check"] + links)
        }
        var methods = [
            ToolMethod(
                scenario: .uv, workspace: workspace,
                steps: [
                    Step(name: "uv venv") { venv in (tools.uv, ["venv", "--quiet", "--python", tools.python, venv.path]) },
                    Step(name: "uv pip install") { venv in
                        (
                            tools.uv,
                            ["pip", "install", "--quiet", "--python", venv.appendingPathComponent("bin/python").path, "--offline"] + links
                        )
                    },
                ]),
            ToolMethod(
                scenario: .venvPip, workspace: workspace,
                steps: [
                    Step(name: "venv --without-pip") { venv in (tools.python, ["-m", "venv", "--without-pip", venv.path]) },
                    Step(name: "pip --python install") { venv in
                        (
                            tools.python,
                            [
                                "-m", "pip", "--python", venv.appendingPathComponent("bin/python").path, "install", "--quiet",
                                "--disable-pip-version-check",
                            ] + links
                        )
                    },
                ]),
            ToolMethod(
                scenario: .virtualenv, workspace: workspace,
                steps: [
                    Step(name: "virtualenv") { venv in (tools.virtualenv, ["--quiet", venv.path]) },
                    pipInstall,
                ]),
        ]
        if withPipIterations > 0 {
            methods.append(
                ToolMethod(
                    scenario: .venvEnsurepip, workspace: workspace,
                    steps: [
                        Step(name: "venv (ensurepip)") { venv in (tools.python, ["-m", "venv", venv.path]) },
                        pipInstall,
                    ],
                    iterationLimit: withPipIterations, warms: false))
        }
        return methods.filter { scenarios.contains($0.scenario) }
    }
}
