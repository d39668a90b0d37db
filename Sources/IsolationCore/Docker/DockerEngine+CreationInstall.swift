import DockerAPI
import Foundation

/// A Docker environment's `requirements` (and `withPip`), installed while it is created with the
/// container's own pip. The spec's host paths — wheel directories, requirement and constraint
/// files — are bind-mounted read-only rather than copied: nothing to stage, and the install
/// cannot change them. A failed install fails the creation with the installer's output.
extension DockerEngine {
    /// Where the spec's host paths appear inside the container.
    static let packageSourceRoot = "/run/ptest-iso/packages"
    /// How long the creation's install may take.
    static let installTimeout = Duration.seconds(1800)

    /// The spec's package sources as the container sees them, and the mounts that make them visible.
    struct PackageSources {
        var mounts: [ContainerSpec.Mount] = []
        /// `--find-links` arguments: container paths, and URLs as given.
        var findLinks: [String] = []
        var constraintFiles: [String] = []
        var requirementFiles: [String] = []
    }

    /// Checks that the spec's host paths exist and maps each to a path inside the container.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the field of a missing path.
    static func packageSources(of spec: EnvironmentSpec) throws -> PackageSources {
        var sources = PackageSources()
        func mount(_ given: String, field: String, under folder: String, directoryAllowed: Bool) throws -> String {
            let host = URL(fileURLWithPath: given).standardizedFileURL
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: host.path, isDirectory: &isDirectory), directoryAllowed || !isDirectory.boolValue
            else {
                throw IsolationError(
                    .invalidSpec, field: field,
                    "'\(given)' is not \(directoryAllowed ? "a directory or file" : "a file") on the host; create it or fix the path"
                )
            }
            // The last component is kept: pip tells an archive from a listing by its name.
            let target = "\(packageSourceRoot)/\(folder)/\(sources.mounts.count)/\(host.lastPathComponent)"
            sources.mounts.append(.bind(host.path, at: target, readOnly: true))
            return target
        }
        for (index, links) in spec.findLinks.enumerated() {
            let isURL = links.contains("://")
            sources.findLinks.append(
                isURL ? links : try mount(links, field: "find_links[\(index)]", under: "find-links", directoryAllowed: true))
        }
        for (index, file) in spec.constraintFiles.enumerated() {
            sources.constraintFiles.append(
                try mount(file, field: "constraint_files[\(index)]", under: "constraints", directoryAllowed: false))
        }
        for (index, file) in spec.requirementFiles.enumerated() {
            sources.requirementFiles.append(
                try mount(file, field: "requirement_files[\(index)]", under: "requirements", directoryAllowed: false))
        }
        return sources
    }

    /// Makes sure pip is there (adding it with `ensurepip` for `withPip`), then installs the requirements.
    ///
    /// - Throws: `invalidSpec` when the image has no `python3`, or when the container's process
    ///   exited (with its last log lines); `installFailed` with the installer's output.
    func installAtCreation(_ id: String, spec: EnvironmentSpec, sources: PackageSources, client: DockerClient) async throws {
        let field = spec.requirements.isEmpty && spec.requirementFiles.isEmpty ? "with_pip" : "requirements"
        // pip is probed first, so a missing python3 or pip is named as such, not as a failed install.
        let probe = try await installerExec(id, ["python3", "-m", "pip", "--version"], client: client)
        if probe.exitCode == 126 || probe.exitCode == 127 {
            throw IsolationError(
                .invalidSpec, field: field,
                "the image '\(spec.image ?? "built")' has no python3 to install with; use an image with Python and pip")
        }
        if probe.exitCode != 0 {
            guard spec.withPip else {
                throw IsolationError(
                    .installFailed,
                    "\(field): the image's python3 has no pip; set with_pip: true or use an image with pip:\n\(probe.stderrText)\(probe.stdoutText)"
                )
            }
            let ensured = try await installerExec(id, ["python3", "-m", "ensurepip"], client: client)
            guard ensured.exitCode == 0 else {
                throw IsolationError(
                    .installFailed,
                    "with_pip: the image's python3 has no pip and ensurepip could not add it (exit \(ensured.exitCode)):\n"
                        + "\(ensured.stderrText)\(ensured.stdoutText)")
            }
        }
        guard field == "requirements" else { return }
        let arguments = Self.pipInstallArguments(
            offline: spec.offline, indexURL: spec.indexURL, findLinks: sources.findLinks, constraintFiles: sources.constraintFiles,
            requirementFiles: sources.requirementFiles, requirements: spec.requirements)
        let result = try await installerExec(id, arguments, client: client)
        guard result.exitCode == 0 else {
            let what = (spec.requirements + spec.requirementFiles.map { "-r \($0)" }).joined(separator: " ")
            throw IsolationError(
                .installFailed,
                "requirements: installing \(what) in container \(id.prefix(12)) failed "
                    + "(\(result.timedOut ? "unfinished after \(Self.installTimeout)" : "exit \(result.exitCode)")):\n"
                    + "\(result.stderrText)\(result.stdoutText)")
        }
    }

    /// `python3 -m pip install` with the request's sources, as container paths.
    static func pipInstallArguments(
        offline: Bool, indexURL: String?, findLinks: [String], constraintFiles: [String], requirementFiles: [String], requirements: [String]
    ) -> [String] {
        var arguments = ["python3", "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
        if offline {
            arguments.append("--no-index")
        } else if let indexURL {
            arguments += ["--index-url", indexURL]
        }
        for links in findLinks { arguments += ["--find-links", links] }
        for file in constraintFiles { arguments += ["-c", file] }
        for file in requirementFiles { arguments += ["-r", file] }
        return arguments + requirements
    }

    /// Runs an installer step. A step that failed because the container's process exited (which
    /// ends every exec with it) is reported as that exit, with the container's last log lines.
    private func installerExec(_ id: String, _ argv: [String], client: DockerClient) async throws -> CommandResult {
        let result: ExecResult
        do {
            result = try await client.exec(id, ExecOptions(argv, environment: Self.pipEnvironment, timeout: Self.installTimeout))
        } catch let error as DockerError where error.code == .conflict {
            if let exited = await exitedFailure(id, while: "installing its requirements", client: client) { throw exited }
            throw error
        }
        if result.exitCode != 0, let exited = await exitedFailure(id, while: "installing its requirements", client: client) {
            throw exited
        }
        return CommandResult(
            exitCode: Int32(clamping: result.exitCode), stdout: result.stdout, stderr: result.stderr,
            durationSeconds: result.duration.seconds, timedOut: result.timedOut)
    }
}
