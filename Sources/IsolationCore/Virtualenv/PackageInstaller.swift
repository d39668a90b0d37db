import Foundation

/// Installs and removes packages in a venv with `uv` when it is available
/// and pip otherwise. `PTEST_ISO_INSTALLER=uv|pip` forces one.
struct PackageInstaller: Sendable {
    enum Tool: Sendable, Equatable {
        case uv(String)
        /// A pip that runs from `python`, targeting the venv with `--python` when it is not the venv's own.
        case pip(python: String)
    }

    let environment: [String: String]

    /// The `uv` binary on `PATH` (or `PTEST_ISO_UV`), if any.
    var uvPath: String? {
        if let explicit = environment["PTEST_ISO_UV"], FileManager.default.isExecutableFile(atPath: explicit) { return explicit }
        for dir in (environment["PATH"] ?? "").split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/uv") {
            return "\(dir)/uv"
        }
        return nil
    }

    /// Picks the tool for a venv.
    ///
    /// - Throws: ``IsolationError/Code/installFailed`` when neither uv nor pip is usable.
    func tool(for venv: URL, interpreter: PythonInterpreter) async throws -> Tool {
        let forced = environment["PTEST_ISO_INSTALLER"]
        if forced != "pip", let uv = uvPath { return .uv(uv) }
        if forced == "uv" {
            throw IsolationError(.installFailed, "PTEST_ISO_INSTALLER=uv but no uv on PATH; `pip install uv` or unset it")
        }
        let venvPython = venv.appendingPathComponent("bin/python").path
        if FileManager.default.fileExists(atPath: venv.appendingPathComponent("bin/pip").path) {
            return .pip(python: venvPython)
        }
        // pip >= 22.3 can install into another interpreter's environment with --python.
        let probe = try await ProcessRunner.run(
            executable: interpreter.executable, arguments: ["-I", "-m", "pip", "--version"],
            environment: ["PATH": environment["PATH"] ?? "/usr/bin:/bin"], timeout: .seconds(60)
        )
        if probe.exitCode == 0 { return .pip(python: interpreter.executable) }
        throw IsolationError(
            .installFailed,
            "no installer: uv is not on PATH and neither the venv nor \(interpreter.executable) has pip; `pip install uv` or set with_pip"
        )
    }

    /// The installer's argv for installing `request` into the venv.
    static func installArguments(_ tool: Tool, venv: URL, request: PackageRequest) -> (String, [String]) {
        var options: [String] = []
        if request.offline {
            options += ["--no-index"]
        } else if let index = request.indexURL {
            options += ["--index-url", index]
        }
        for links in request.findLinks { options += ["--find-links", links] }
        for file in request.constraintFiles { options += ["-c", file] }
        for file in request.requirementFiles { options += ["-r", file] }
        options += request.requirements
        let venvPython = venv.appendingPathComponent("bin/python").path
        switch tool {
        case .uv(let uv):
            // Copies, not uv's default hard links into its global cache: a test writing to an installed
            // file in place must not reach uv's cache (or, through it, every other venv).
            return (
                uv, ["pip", "install", "--python", venvPython, "--link-mode", "copy"] + (request.offline ? ["--offline"] : []) + options
            )
        case .pip(let python):
            let target = python == venvPython ? [] : ["--python", venvPython]
            return (python, ["-I", "-m", "pip"] + target + ["install", "--disable-pip-version-check", "--no-input"] + options)
        }
    }

    static func uninstallArguments(_ tool: Tool, venv: URL, names: [String]) -> (String, [String]) {
        let venvPython = venv.appendingPathComponent("bin/python").path
        switch tool {
        case .uv(let uv):
            return (uv, ["pip", "uninstall", "--python", venvPython] + names)
        case .pip(let python):
            let target = python == venvPython ? [] : ["--python", venvPython]
            return (python, ["-I", "-m", "pip"] + target + ["uninstall", "--yes", "--disable-pip-version-check"] + names)
        }
    }

    /// The distributions installed in a site-packages directory, read from
    /// their `*.dist-info/METADATA` (no installer process needed).
    static func installedPackages(sitePackages: URL) -> [InstalledPackage] {
        let fm = FileManager.default
        let entries = (try? fm.contentsOfDirectory(atPath: sitePackages.path)) ?? []
        var packages: [InstalledPackage] = []
        for entry in entries where entry.hasSuffix(".dist-info") {
            let metadata = sitePackages.appendingPathComponent(entry).appendingPathComponent("METADATA")
            guard let text = try? String(contentsOf: metadata, encoding: .utf8) else { continue }
            var name: String?
            var version: String?
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.isEmpty { break }
                if line.hasPrefix("Name: ") { name = String(line.dropFirst(6)).trimmingCharacters(in: .whitespaces) }
                if line.hasPrefix("Version: ") { version = String(line.dropFirst(9)).trimmingCharacters(in: .whitespaces) }
            }
            if let name, let version { packages.append(InstalledPackage(name: name, version: version)) }
        }
        return packages.sorted { $0.name.lowercased() < $1.name.lowercased() }
    }
}
