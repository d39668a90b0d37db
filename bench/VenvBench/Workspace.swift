import BenchSupport
import Foundation

/// One temporary directory holds everything a run makes — the wheels, the
/// venvs, the engine's state directory, and the caches of uv, pip and
/// virtualenv — so removing it leaves nothing behind.
struct Workspace: Sendable {
    let root: URL
    var wheels: URL { root.appendingPathComponent("wheels") }
    /// `PTEST_ISO_HOME` of the engine under test.
    var home: URL { root.appendingPathComponent("ptest-iso-home") }
    var venvs: URL { root.appendingPathComponent("venvs") }
    /// What every child process gets: the caller's environment with the
    /// tools' caches moved in here and nothing that would reach a network.
    let environment: [String: String]

    static let packages = ["bench_one", "bench_two", "bench_three"]

    init(parent: URL = FileManager.default.temporaryDirectory) throws {
        root = parent.appendingPathComponent("venv-bench-\(UUID().uuidString.prefix(8).lowercased())")
        var environment = ProcessInfo.processInfo.environment
        for name in ["VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PIP_REQUIRE_VIRTUALENV", "UV_SYSTEM_PYTHON"] {
            environment[name] = nil
        }
        environment["UV_CACHE_DIR"] = root.appendingPathComponent("cache/uv").path
        environment["UV_PYTHON_DOWNLOADS"] = "never"
        environment["UV_NO_PROGRESS"] = "1"
        environment["PIP_CACHE_DIR"] = root.appendingPathComponent("cache/pip").path
        environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        environment["PIP_NO_INPUT"] = "1"
        environment["VIRTUALENV_OVERRIDE_APP_DATA"] = root.appendingPathComponent("cache/virtualenv").path
        // Otherwise virtualenv may start a background process that looks for newer seed wheels online.
        environment["VIRTUALENV_NO_PERIODIC_UPDATE"] = "1"
        self.environment = environment
        for directory in [root, wheels, home, venvs] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
    }

    /// A fresh path for one venv (not created).
    func venv(_ label: String, _ iteration: Int) -> URL {
        venvs.appendingPathComponent("\(label)-\(iteration)")
    }

    /// Removes a venv a method made; untimed.
    func remove(_ venv: URL) throws {
        guard FileManager.default.fileExists(atPath: venv.path) else { return }
        try FileManager.default.removeItem(at: venv)
    }

    /// The type of the filesystem the workspace is on (from `/proc/mounts`): inode allocation
    /// and fsync costs differ a lot between filesystems and their mount options.
    var filesystem: String {
        guard let mounts = try? String(contentsOfFile: "/proc/mounts", encoding: .utf8) else { return "unknown" }
        let path = root.resolvingSymlinksInPath().path
        var best: (mountPoint: String, type: String) = ("", "unknown")
        for line in mounts.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 3 else { continue }
            let mountPoint = String(fields[1])
            let inside = mountPoint == "/" || path == mountPoint || path.hasPrefix(mountPoint + "/")
            if inside, mountPoint.count >= best.mountPoint.count { best = (mountPoint, String(fields[2])) }
        }
        return best.type
    }

    func removeAll() throws {
        try FileManager.default.removeItem(at: root)
    }

    /// The import check every method's first venv must pass.
    static let importCheck =
        "import bench_one, bench_two, bench_three; print(bench_one.VERSION, bench_two.VERSION, bench_three.VERSION)"

    /// Checks, untimed, that `python` imports the three packages.
    func verify(python: String, method: String) async throws {
        let output = try await ChildProcess.run(python, ["-I", "-c", Self.importCheck], environment: environment)
        guard output.status == 0, output.text == "0.1.0 0.1.0 0.1.0" else {
            throw BenchFailure("\(method): the venv does not import \(Self.packages.joined(separator: ", ")): \(output.text)")
        }
    }
}

/// Wheels made offline by `scripts/make_wheel.py`, as the tests make theirs.
enum Wheels {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/make_wheel.py").path

    /// Writes `name-0.1.0-py3-none-any.whl` for each package into the workspace's wheel directory.
    static func make(in workspace: Workspace, python: String) async throws {
        for name in Workspace.packages {
            try await ChildProcess.check(
                python, ["-I", script, name, "0.1.0", workspace.wheels.path], environment: workspace.environment)
        }
    }
}
