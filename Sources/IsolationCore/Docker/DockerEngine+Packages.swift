import DockerAPI
public import Foundation

/// Packages are installed inside the container with its own `python3 -m pip`;
/// host paths the request names (wheel directories, requirement files) are
/// copied in first, since the container cannot see the host.
extension DockerEngine {
    /// The container is disposable: its system Python is the one to install into
    /// (PEP 668 markers notwithstanding), as root. Variables, not flags, so older pips ignore them.
    static let pipEnvironment = ["PIP_BREAK_SYSTEM_PACKAGES": "1", "PIP_ROOT_USER_ACTION": "ignore"]

    public func install(_ environment: Environment, _ request: PackageRequest) async throws -> CommandResult {
        let staging = "/tmp/ptest-iso-install-\(UUID().uuidString.prefix(8))"
        let arguments = try await withClient { client in
            _ = try await client.exec(environment.location, ExecOptions(["mkdir", "-p", staging]))
            func stage(_ paths: [String]) async throws -> [String] {
                var staged: [String] = []
                for path in paths {
                    let url = URL(fileURLWithPath: path)
                    try await client.copyIn(environment.location, from: url, to: staging)
                    staged.append("\(staging)/\(url.lastPathComponent)")
                }
                return staged
            }
            return Self.pipInstallArguments(
                offline: request.offline, indexURL: request.indexURL, findLinks: try await stage(request.findLinks),
                constraintFiles: try await stage(request.constraintFiles), requirementFiles: try await stage(request.requirementFiles),
                requirements: request.requirements)
        }
        let result = try await run(environment, Command(arguments, environment: Self.pipEnvironment, timeoutSeconds: 1800))
        _ = try? await run(environment, Command(["rm", "-rf", staging]))
        guard result.exitCode == 0 else {
            throw IsolationError(
                .installFailed,
                "installing \(request.requirements.joined(separator: " ")) in container \(environment.location.prefix(12)) failed "
                    + "(exit \(result.exitCode)):\n\(result.stderrText)\(result.stdoutText)")
        }
        return result
    }

    public func installedPackages(_ environment: Environment) async throws -> [InstalledPackage] {
        let script = """
            import importlib.metadata as m, json
            print(json.dumps(sorted({(d.metadata["Name"], d.version) for d in m.distributions()})))
            """
        let result = try await run(environment, Command(["python3", "-c", script]))
        guard result.exitCode == 0, let pairs = try? JSONDecoder().decode([[String]].self, from: result.stdout) else {
            throw IsolationError(.engineUnavailable, "image \(environment.spec.image ?? "?") has no usable python3: \(result.stderrText)")
        }
        return pairs.filter { $0.count == 2 }.map { InstalledPackage(name: $0[0], version: $0[1]) }
            .sorted { $0.name.lowercased() < $1.name.lowercased() }
    }

    public func uninstall(_ environment: Environment, _ names: [String]) async throws -> CommandResult {
        let result = try await run(
            environment,
            Command(
                ["python3", "-m", "pip", "uninstall", "--yes", "--disable-pip-version-check"] + names, environment: Self.pipEnvironment))
        guard result.exitCode == 0 else {
            throw IsolationError(.installFailed, "uninstalling \(names.joined(separator: " ")) failed:\n\(result.stderrText)")
        }
        return result
    }

    /// Copies by the rule of ``CopyPlan``: a tar whose root carries the target's name, put into the target's parent.
    public func copyIn(_ environment: Environment, from source: URL, to destination: String) async throws {
        let path = try containerPath(destination, in: environment)
        let existing = CopyPlan.existing(atHostPath: source.path)
        guard existing != .missing else { throw IsolationError(.notFound, "copy: \(source.path) does not exist") }
        try await withClient { client in
            let found = try await client.statPath(environment.location, path: path)
            let plan = try CopyPlan(
                source: CopyPlan.source(source), sourceIsDirectory: existing == .directory, sourcePath: source.path,
                destination: path, destinationIsDirectory: CopyPlan.namesDirectory(destination),
                existing: found.map { $0.isDirectory ? .directory : .file } ?? .missing)
            let tar = try CopyPlan.archive(source, as: plan.targetName)
            let parent = try await client.statPath(environment.location, path: plan.targetParent)
            if parent == nil {
                let made = try await client.exec(environment.location, ExecOptions(["mkdir", "-p", plan.targetParent]))
                guard made.exitCode == 0 else {
                    throw IsolationError(
                        .ioFailure, "copy: cannot create \(plan.targetParent) in the container: \(made.stderrText.prefix(300))")
                }
            } else if parent?.isDirectory == false {
                throw IsolationError(.ioFailure, "copy: \(plan.targetParent) in the container is a file, not a directory")
            }
            try await client.putArchive(environment.location, path: plan.targetParent, tar: tar)
        }
    }

    public func copyOut(_ environment: Environment, from source: String, to destination: URL) async throws {
        let path = try containerPath(source, in: environment)
        try await withClient { client in
            guard let found = try await client.statPath(environment.location, path: path) else {
                throw IsolationError(.notFound, "copy: \(source) does not exist in the environment's working directory")
            }
            let plan = try CopyPlan(
                source: source, sourceIsDirectory: found.isDirectory, sourcePath: path, destination: destination.path,
                destinationIsDirectory: destination.hasDirectoryPath, existing: CopyPlan.existing(atHostPath: destination.path))
            let (tar, _) = try await client.getArchive(environment.location, path: path)
            try CopyPlan.extract(tar, into: plan.targetParent, root: (path as NSString).lastPathComponent, as: plan.targetName)
        }
    }

    /// A path under the container's working directory; `..` escapes are refused.
    func containerPath(_ relative: String, in environment: Environment) throws -> String {
        let root = URL(fileURLWithPath: Self.workDirectory(of: environment.spec))
        let candidate = relative.isEmpty || relative == "." ? root : root.appendingPathComponent(relative).standardizedFileURL
        guard candidate.path == root.path || candidate.path.hasPrefix(root.path + "/") else {
            throw IsolationError(
                .invalidSpec, field: "path", "'\(relative)' leaves the environment's working directory; use a relative path inside it")
        }
        return candidate.path
    }
}
