import BenchSupport
import Foundation

/// The programs the baselines run, by their real paths.
///
/// A pyenv shim is a bash script that re-resolves the version on every call
/// (100–400 ms here), so the baselines run the interpreter behind `python3`
/// and the `uv` and `virtualenv` installed next to it, not the shims: the
/// comparison is with the tools, not with pyenv.
struct Tools: Sendable, Codable {
    var python: String
    var pythonVersion: String
    var pipVersion: String
    var uv: String
    var uvVersion: String
    var virtualenv: String
    var virtualenvVersion: String

    /// - Throws: ``BenchFailure`` naming what is missing and how to get it.
    static func locate(python requested: String, environment: [String: String]) async throws -> Tools {
        let launcher = try find(requested, environment: environment)
        let described = try await ChildProcess.check(
            launcher,
            ["-c", "import sys, pip; print(sys.executable); print('%d.%d.%d' % sys.version_info[:3]); print(pip.__version__)"],
            environment: environment
        ).text.split(separator: "\n").map(String.init)
        guard described.count == 3 else { throw BenchFailure("\(launcher) did not describe itself: \(described)") }
        let python = described[0]
        let pipVersion = described[2]
        let pipParts = pipVersion.split(separator: ".").compactMap { Int($0) }
        guard pipParts.lexicographicallyPrecedes([22, 3]) == false else {
            throw BenchFailure(
                "pip \(pipVersion) of \(python) is too old for `pip --python` (needs ≥ 22.3): \(python) -m pip install -U pip")
        }
        // Console scripts pip installed for this interpreter sit next to it.
        let bin = URL(fileURLWithPath: python).deletingLastPathComponent().path
        func tool(_ name: String) throws -> String {
            let beside = "\(bin)/\(name)"
            if FileManager.default.isExecutableFile(atPath: beside) { return beside }
            return try find(name, environment: environment)
        }
        let uv = try tool("uv")
        let virtualenv = try tool("virtualenv")
        let uvVersion = try await ChildProcess.check(uv, ["--version"], environment: environment).text
        let virtualenvVersion = try await ChildProcess.check(virtualenv, ["--version"], environment: environment).text
        return Tools(
            python: python, pythonVersion: described[1], pipVersion: pipVersion, uv: uv, uvVersion: uvVersion,
            virtualenv: virtualenv,
            // "virtualenv 21.15.8 from /path/to/virtualenv/__init__.py"
            virtualenvVersion: virtualenvVersion.split(separator: " ").dropFirst().first.map(String.init) ?? virtualenvVersion
        )
    }

    private static func find(_ name: String, environment: [String: String]) throws -> String {
        if name.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: name) else { throw BenchFailure("\(name) is not an executable file") }
            return name
        }
        for directory in (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":")
        where FileManager.default.isExecutableFile(atPath: "\(directory)/\(name)") {
            return "\(directory)/\(name)"
        }
        throw BenchFailure("\(name) was not found on PATH; scripts/python-tools.sh installs uv and virtualenv")
    }
}
