/// What the bench times: one way of getting a venv with the three packages, each.
enum Scenario: String, Sendable, Codable, CaseIterable {
    case engine = "ptest-iso create"
    case restore = "ptest-iso restore"
    case uv = "uv"
    case venvPip = "venv + pip"
    case virtualenv = "virtualenv + pip"
    case venvEnsurepip = "venv (ensurepip) + pip"

    /// The name `--scenario` takes.
    init?(flag: String) {
        let flags: [String: Scenario] = [
            "engine": .engine, "restore": .restore, "uv": .uv, "venv": .venvPip, "virtualenv": .virtualenv, "ensurepip": .venvEnsurepip,
        ]
        guard let scenario = flags[flag] else { return nil }
        self = scenario
    }

    /// What one iteration does, for the report.
    var summary: String {
        switch self {
        case .engine:
            "manager.create(EnvironmentSpec(requirements: 3, findLinks: [wheels], offline: true)), in-process, template hit"
        case .restore: "manager.restore(snapshot) of an env made by the engine"
        case .uv: "uv venv DIR; uv pip install --python DIR/bin/python --offline --no-index --find-links WHEELS 3 packages"
        case .venvPip:
            "python -m venv --without-pip DIR; python -m pip --python DIR/bin/python install --no-index --find-links WHEELS 3 packages"
        case .virtualenv: "virtualenv DIR (default seeding); DIR/bin/pip install --no-index --find-links WHEELS 3 packages"
        case .venvEnsurepip: "python -m venv DIR (ensurepip); DIR/bin/pip install --no-index --find-links WHEELS 3 packages"
        }
    }
}

/// One timed iteration: wall time, and the time of each stage (one per process for the tools).
struct Sample: Sendable {
    var total: Duration
    var stages: [Duration]
}

/// One way of making the venv.
protocol VenvMethod: Sendable {
    var scenario: Scenario { get }
    /// The stages an iteration is timed in, in order.
    var stageNames: [String] { get }
    /// How many of the rounds it takes part in (`nil`: all).
    var iterationLimit: Int? { get }
    /// One untimed run that fills the caches the method relies on; returns how long it took.
    func warm() async throws -> Duration
    /// One timed iteration. What it made is removed afterwards, outside the timing;
    /// with `verify`, the venv is first checked (untimed) to import the three packages.
    func iteration(_ index: Int, verify: Bool) async throws -> Sample
}

extension VenvMethod {
    var iterationLimit: Int? { nil }
}
