public import Foundation

/// Environments as Python virtualenvs under the state directory:
/// `envs/<id>/venv` (the venv), `envs/<id>/work` (the working directory)
/// and `envs/<id>/environment.json` (session, expiry and spec, so cleanup
/// works without the database).
public final class VirtualenvEngine: IsolationEngine {
    public let kind = EngineKind.virtualenv
    public let capabilities: Set<EngineCapability> = [.packages, .snapshots, .files]
    public let priority = 100

    let home: URL
    let hostEnvironment: [String: String]
    let discovery: InterpreterDiscovery
    let installer: PackageInstaller
    let templates: TemplateCache
    /// The steps of a creation (its install's counts) for the manager's events.
    public let progress = ProgressReporter()

    /// - Parameters:
    ///   - home: the state directory (`PTEST_ISO_HOME`).
    ///   - templateCacheBytes: the template cache's size bound.
    public init(
        home: URL,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        templateCacheBytes: Int64 = 2 << 30
    ) {
        self.home = home
        self.hostEnvironment = environment
        self.discovery = InterpreterDiscovery(environment: environment, answers: home.appendingPathComponent("interpreters.json"))
        self.installer = PackageInstaller(environment: environment)
        self.templates = TemplateCache(root: home.appendingPathComponent("templates"), maxBytes: templateCacheBytes)
    }

    public func unavailableReason() async -> String? {
        await discovery.all().isEmpty ? "no Python 3 interpreter on PATH, in pyenv or in /usr/bin" : nil
    }

    func directory(of environment: Environment) -> URL {
        environment.location.isEmpty
            ? home.appendingPathComponent("envs").appendingPathComponent(environment.id) : URL(fileURLWithPath: environment.location)
    }

    func venv(of environment: Environment) -> URL { directory(of: environment).appendingPathComponent("venv") }
    func workDirectory(of environment: Environment) -> URL { directory(of: environment).appendingPathComponent("work") }

    /// A reused venv is handed out again while its interpreter is there (a venv whose base
    /// Python was removed or upgraded away has a dangling `bin/python`).
    public func reuseProblem(_ environment: Environment) async throws -> String? {
        let python = venv(of: environment).appendingPathComponent("bin/python")
        return FileManager.default.fileExists(atPath: python.path) ? nil : "its interpreter \(python.path) is gone"
    }

    public func create(_ environment: Environment) async throws -> EngineArtifact {
        let spec = environment.spec
        let directory = directory(of: environment)
        let venv = directory.appendingPathComponent("venv")
        let interpreter = try await discovery.find(spec.python)
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("work"), withIntermediateDirectories: true)
        try writeMetadata(environment, to: directory)
        var details = [
            "python": interpreter.versionString, "interpreter": interpreter.executable, "interpreter_source": interpreter.source,
        ]
        let request = PackageRequest(spec)
        if spec.useTemplateCache && (spec.withPip || !request.isEmpty) {
            let key = try TemplateCache.key(interpreter: interpreter, spec: spec)
            let describe = TemplateCache.Entry(
                key: key, interpreter: interpreter.executable, pythonVersion: interpreter.versionString,
                requirements: spec.requirements, sizeBytes: 0, createdAt: Date(), lastUsedAt: Date()
            )
            var attempt = 0
            while true {
                attempt += 1
                let (template, hit) = try await templates.template(key: key, describe: describe) { staging in
                    try await self.build(staging, interpreter: interpreter, spec: spec, request: request, for: environment.id)
                }
                do {
                    try TreeCopier.clone(
                        template, to: venv, mode: .linkFiles, rewriting: template.path, with: venv.path,
                        expecting: try templates.manifest(key))
                    details["template"] = hit ? "hit" : "miss"
                    details["template_key"] = key
                    break
                } catch let modified as TreeCopier.SourceModified where attempt == 1 {
                    // An environment wrote in place to a file it shares with the template: never reuse it.
                    try? FileManager.default.removeItem(at: venv)
                    try await templates.discard(key)
                    details["template_discarded"] = "\(modified.path) was modified in place by an environment sharing it"
                }
            }
        } else {
            try await build(venv, interpreter: interpreter, spec: spec, request: request, for: environment.id)
            details["template"] = "none"
        }
        return EngineArtifact(location: directory.path, details: details)
    }

    private func build(
        _ venv: URL, interpreter: PythonInterpreter, spec: EnvironmentSpec, request: PackageRequest, for subject: String
    ) async throws {
        try VenvWriter.create(at: venv, interpreter: interpreter)
        if spec.withPip {
            try await VenvWriter.installPip(into: venv, interpreter: interpreter)
        }
        if !request.isEmpty {
            progress.report(subject, InstallerOutput.announcement(request))
            let started = ContinuousClock.now
            let result = try await install(venv: venv, interpreter: interpreter, request: request)
            progress.report(subject, InstallerOutput.summary(result, took: ContinuousClock.now - started))
        }
    }

    func writeMetadata(_ environment: Environment, to directory: URL) throws {
        struct Metadata: Encodable {
            var id: String
            var session: String
            var expiresAt: Date?
            var spec: EnvironmentSpec
        }
        let metadata = Metadata(id: environment.id, session: environment.session, expiresAt: environment.expiresAt, spec: environment.spec)
        try TreeCopier.writeFile(directory.appendingPathComponent("environment.json").path, StatePayload.encode(metadata))
    }

    public func run(_ environment: Environment, _ command: Command, output: CommandOutputSink) async throws -> CommandExit {
        let prepared = try prepare(environment, command)
        guard let executable = prepared.executable else {
            try await output.stderr(Data("\(prepared.program): command not found\n".utf8))
            return CommandExit(exitCode: 127, durationSeconds: 0, timedOut: false)
        }
        return try await ProcessRunner.stream(
            executable: executable, arguments: prepared.arguments, environment: prepared.variables, workingDirectory: prepared.cwd,
            stdin: command.stdin, timeout: command.timeoutSeconds.map { .milliseconds(Int64($0 * 1000)) }, output: output
        )
    }

    /// What a command runs as in the venv: the program found on the activated `PATH` (`nil`
    /// when it is not there), its arguments, the variables and the working directory.
    ///
    /// - Throws: `invalidSpec` for an empty argv or a working directory that is not one.
    func prepare(_ environment: Environment, _ command: Command) throws -> (
        executable: String?, program: String, arguments: [String], variables: [String: String], cwd: String
    ) {
        let venv = venv(of: environment)
        let work = workDirectory(of: environment)
        var variables = commandEnvironment(venv: venv)
        variables.merge(environment.spec.environment) { $1 }
        variables.merge(command.environment) { $1 }
        var cwd = work.path
        if let requested = command.workingDirectory {
            cwd = requested.hasPrefix("/") ? requested : work.appendingPathComponent(requested).path
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: cwd, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw IsolationError(
                .invalidSpec, field: "working_directory", "\(cwd) is not a directory; create it first or use an existing one")
        }
        guard let program = command.argv.first, !program.isEmpty else {
            throw IsolationError(.invalidSpec, field: "argv", "empty; give the program and its arguments")
        }
        let executable = resolve(program, path: variables["PATH"] ?? "", cwd: cwd)
        return (executable, program, Array(command.argv.dropFirst()), variables, cwd)
    }

    /// The caller's environment without what would leak its own Python
    /// setup in, plus the venv activated.
    func commandEnvironment(venv: URL) -> [String: String] {
        var variables = hostEnvironment
        for name in [
            "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONEXECUTABLE", "__PYVENV_LAUNCHER__", "CONDA_PREFIX", "CONDA_DEFAULT_ENV",
        ] {
            variables[name] = nil
        }
        var path = (hostEnvironment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        if let callerVenv = hostEnvironment["VIRTUAL_ENV"] {
            path.removeAll { $0.hasPrefix(callerVenv) }
        }
        variables["VIRTUAL_ENV"] = venv.path
        variables["PATH"] = ([venv.appendingPathComponent("bin").path] + path).joined(separator: ":")
        return variables
    }

    private func resolve(_ program: String, path: String, cwd: String) -> String? {
        if program.contains("/") {
            let full = program.hasPrefix("/") ? program : cwd + "/" + program
            return FileManager.default.isExecutableFile(atPath: full) ? full : nil
        }
        for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(program)") {
            return "\(dir)/\(program)"
        }
        return nil
    }

    public func install(_ environment: Environment, _ request: PackageRequest) async throws -> CommandResult {
        let interpreter = try await discovery.find(environment.details["interpreter"] ?? environment.spec.python)
        return try await install(venv: venv(of: environment), interpreter: interpreter, request: request)
    }

    @discardableResult
    private func install(venv: URL, interpreter: PythonInterpreter, request: PackageRequest) async throws -> CommandResult {
        let tool = try await installer.tool(for: venv, interpreter: interpreter)
        let (executable, arguments) = PackageInstaller.installArguments(tool, venv: venv, request: request)
        let result = try await ProcessRunner.run(
            executable: executable, arguments: arguments, environment: commandEnvironment(venv: venv), timeout: .seconds(1800)
        )
        guard result.exitCode == 0 else {
            throw IsolationError(
                .installFailed,
                "installing \((request.requirements + request.requirementFiles.map { "-r \($0)" }).joined(separator: " ")) "
                    + "failed (exit \(result.exitCode)):\n\(result.stderrText)\(result.stdoutText)"
            )
        }
        return result
    }

    public func installedPackages(_ environment: Environment) async throws -> [InstalledPackage] {
        let interpreter = try await discovery.find(environment.details["interpreter"] ?? environment.spec.python)
        return PackageInstaller.installedPackages(sitePackages: venv(of: environment).appendingPathComponent(interpreter.sitePackages))
    }

    public func uninstall(_ environment: Environment, _ names: [String]) async throws -> CommandResult {
        let venv = venv(of: environment)
        let interpreter = try await discovery.find(environment.details["interpreter"] ?? environment.spec.python)
        let tool = try await installer.tool(for: venv, interpreter: interpreter)
        let (executable, arguments) = PackageInstaller.uninstallArguments(tool, venv: venv, names: names)
        let result = try await ProcessRunner.run(
            executable: executable, arguments: arguments, environment: commandEnvironment(venv: venv), timeout: .seconds(600)
        )
        guard result.exitCode == 0 else {
            throw IsolationError(.installFailed, "uninstalling \(names.joined(separator: " ")) failed:\n\(result.stderrText)")
        }
        return result
    }

    public func copyIn(_ environment: Environment, from source: URL, to destination: String) async throws {
        let target = try contained(destination, in: workDirectory(of: environment)).path
        try copy(source, written: CopyPlan.source(source), to: target, destinationIsDirectory: CopyPlan.namesDirectory(destination))
    }

    public func copyOut(_ environment: Environment, from source: String, to destination: URL) async throws {
        let item = try contained(source, in: workDirectory(of: environment))
        try copy(item, written: source, to: destination.path, destinationIsDirectory: destination.hasDirectoryPath)
    }

    /// A path under the working directory; `..` escapes are refused.
    private func contained(_ relative: String, in root: URL) throws -> URL {
        let candidate = relative.isEmpty || relative == "." ? root : root.appendingPathComponent(relative).standardizedFileURL
        guard candidate.path == root.path || candidate.path.hasPrefix(root.path + "/") else {
            throw IsolationError(
                .invalidSpec, field: "path", "'\(relative)' leaves the environment's working directory; use a relative path inside it")
        }
        return candidate
    }

    /// Copies by the rule of ``CopyPlan``, through a tar as the Docker engine does, so both merge alike.
    private func copy(_ source: URL, written: String, to destination: String, destinationIsDirectory: Bool) throws {
        let existing = CopyPlan.existing(atHostPath: source.path)
        guard existing != .missing else { throw IsolationError(.notFound, "copy: \(source.path) does not exist") }
        let plan = try CopyPlan(
            source: written, sourceIsDirectory: existing == .directory, sourcePath: source.path, destination: destination,
            destinationIsDirectory: destinationIsDirectory, existing: CopyPlan.existing(atHostPath: destination))
        let tar = try CopyPlan.archive(source, as: plan.targetName)
        try CopyPlan.extract(tar, into: plan.targetParent, as: plan.targetName)
    }

    public func destroy(_ environment: Environment) async throws {
        let directory = directory(of: environment)
        do {
            if FileManager.default.fileExists(atPath: directory.path) {
                try FileManager.default.removeItem(at: directory)
            }
        } catch {
            throw IsolationError(.ioFailure, "removing \(directory.path): \(error)")
        }
    }
}
