public import Foundation
import Synchronization

/// A Python interpreter found on this machine.
public struct PythonInterpreter: Codable, Sendable, Hashable {
    /// The real path of the (base) interpreter binary, symlinks resolved.
    public var executable: String
    /// major, minor, micro.
    public var version: [Int]
    public var implementation: String
    /// The standard library directory (holds `venv/scripts` and `ensurepip`).
    public var stdlib: String
    /// Where the interpreter was found (`PATH`, `pyenv`, `system`, `explicit`).
    public var source: String

    public var versionString: String { version.map(String.init).joined(separator: ".") }
    public var minorVersion: String { version.prefix(2).map(String.init).joined(separator: ".") }
    /// `lib/python3.11/site-packages`, as `venv` lays it out on POSIX.
    public var sitePackages: String { "lib/python\(minorVersion)/site-packages" }
}

/// Finds interpreters: an explicit path, `PATH`, pyenv installs, and
/// Debian's `/usr/bin/python3*`. Each candidate is asked once (one process
/// per binary); answers are cached in memory, and a binary's also in the home
/// (``InterpreterAnswers``) while its files stay the same.
public final class InterpreterDiscovery: Sendable {
    private let environment: [String: String]
    /// The working directory a candidate runs in (a pyenv shim reads `.python-version` from
    /// there up); nil: the process's own when the candidate is asked, as the shim would see it.
    private let directory: String?
    /// Answers kept across processes (in the home), when there is one.
    private let answers: InterpreterAnswers?
    private let cache = Cache()
    /// The candidate that answered a spec without `python`, and where it was found: every
    /// create of such a spec asks again, and the search stats a hundred paths.
    private let defaultCandidate = Mutex<(path: String, source: String)?>(nil)

    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        directory: String? = nil,
        answers: URL? = nil
    ) {
        self.environment = environment
        self.directory = directory
        self.answers = answers.map(InterpreterAnswers.init(file:))
    }

    /// The interpreter for a spec's `python` field (`nil`: `python3` on `PATH` first).
    ///
    /// - Throws: ``IsolationError/Code/interpreterNotFound`` listing what was found.
    public func find(_ request: String?) async throws -> PythonInterpreter {
        if let request, request.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: request) else {
                throw IsolationError(.interpreterNotFound, "python: \(request) is not an executable file")
            }
            return try await inspect(request, source: "explicit")
        }
        let wanted = try request.map(PythonVersionRequest.init)
        if wanted == nil {
            if let known = defaultCandidate.withLock({ $0 }), FileManager.default.isExecutableFile(atPath: known.path),
                let interpreter = try? await inspect(known.path, source: known.source)
            {
                return interpreter
            }
            // No request: the first python3 that starts, as a shell would pick it; the rest need not be asked.
            for (path, source) in candidates() {
                if let interpreter = try? await inspect(path, source: source) {
                    defaultCandidate.withLock { $0 = (path, source) }
                    return interpreter
                }
            }
        }
        let found = await all()
        let matching = found.filter { wanted?.matches($0.version) ?? true }
        // No request: the first python3 on PATH, as a shell would pick it. A version request: the newest match.
        let chosen = matching.max { $0.version.lexicographicallyPrecedes($1.version) }
        guard let chosen else {
            let list = found.map { "\($0.versionString) at \($0.executable) (\($0.source))" }.joined(separator: "; ")
            throw IsolationError(
                .interpreterNotFound,
                "python: no interpreter matches '\(request ?? "any")'; found: \(list.isEmpty ? "none" : list). Install one or pass its path"
            )
        }
        return chosen
    }

    /// Every distinct interpreter found, in search order (`PATH`, pyenv, system).
    public func all() async -> [PythonInterpreter] {
        var seen = Set<String>()
        var result: [PythonInterpreter] = []
        for (path, source) in candidates() {
            guard let interpreter = try? await inspect(path, source: source), seen.insert(interpreter.executable).inserted
            else { continue }
            result.append(interpreter)
        }
        return result
    }

    func candidates() -> [(String, String)] {
        let fm = FileManager.default
        var paths: [(String, String)] = []
        let names = ["python3"] + (8...15).reversed().map { "python3.\($0)" }
        for dir in (environment["PATH"] ?? "").split(separator: ":").map(String.init) {
            // A venv's bin on PATH is the caller's environment, not an interpreter to build on.
            if let venv = environment["VIRTUAL_ENV"], dir.hasPrefix(venv) { continue }
            // pyenv's versioned shims only repeat its versions/ (found below) at the cost of a shell script each.
            let dirNames = dir.hasSuffix("/shims") ? ["python3"] : names
            for name in dirNames where fm.isExecutableFile(atPath: "\(dir)/\(name)") {
                paths.append(("\(dir)/\(name)", "PATH"))
            }
        }
        let pyenvRoot = environment["PYENV_ROOT"] ?? "\(environment["HOME"] ?? NSHomeDirectory())/.pyenv"
        for version in ((try? fm.contentsOfDirectory(atPath: "\(pyenvRoot)/versions")) ?? []).sorted() {
            let path = "\(pyenvRoot)/versions/\(version)/bin/python3"
            if fm.isExecutableFile(atPath: path) { paths.append((path, "pyenv")) }
        }
        for dir in ["/usr/local/bin", "/usr/bin"] {
            for name in names where fm.isExecutableFile(atPath: "\(dir)/\(name)") {
                paths.append(("\(dir)/\(name)", "system"))
            }
        }
        return paths
    }

    /// Asks the interpreter about itself (once per path).
    func inspect(_ path: String, source: String) async throws -> PythonInterpreter {
        switch cache.get(path) {
        case .success(var cached)?:
            cached.source = source
            return cached
        case .failure(let error)?:
            throw error
        case nil:
            break
        }
        do {
            let interpreter = try await ask(path, source: source)
            cache.set(path, .success(interpreter))
            return interpreter
        } catch let error as IsolationError {
            // A broken candidate (a pyenv shim for a version not installed) is asked only once. A question
            // cut short (the caller cancelled or timed out, the machine too loaded to answer in time) says
            // nothing about the interpreter: kept, it made every later create find "none".
            if error.code == .interpreterNotFound && !Task.isCancelled {
                cache.set(path, .failure(error))
            }
            throw error
        }
    }

    private func ask(_ path: String, source: String) async throws -> PythonInterpreter {
        let script = """
            import json, sys, sysconfig
            print(json.dumps({"executable": getattr(sys, "_base_executable", sys.executable) or sys.executable,
                "version": list(sys.version_info[:3]), "implementation": sys.implementation.name,
                "stdlib": sysconfig.get_path("stdlib")}))
            """
        // A pyenv shim is asked through the interpreter it would run, when its files name one.
        let versionVariable = environment["PYENV_VERSION"]
        let executable =
            PyenvShim(path: path)?.target(
                versionVariable: versionVariable, directory: directory ?? FileManager.default.currentDirectoryPath) ?? path
        // A binary's answer kept in the home, taken while its files are as they were when it was kept.
        let stamp = answers == nil ? nil : InterpreterAnswers.stamp(of: executable)
        if let answers, let stamp, var known = answers.answer(for: executable, stamp: stamp) {
            known.source = source
            return known
        }
        var variables = ["PATH": environment["PATH"] ?? "/usr/bin:/bin"]
        variables["PYENV_VERSION"] = versionVariable
        let result = try await ProcessRunner.run(
            // `-S`: without `site` (its .pth files, sitecustomize) the answer is the same and
            // comes in a third of the time; every test process asks once.
            executable: executable, arguments: ["-I", "-S", "-c", script], environment: variables, timeout: .seconds(30)
        )
        guard !result.timedOut else {
            throw IsolationError(.timeout, "python: \(path) did not describe itself within 30 s")
        }
        guard result.exitCode == 0 else {
            throw IsolationError(.interpreterNotFound, "python: \(path) failed to start: \(result.stderrText)")
        }
        struct Answer: Decodable {
            var executable: String
            var version: [Int]
            var implementation: String
            var stdlib: String
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: result.stdout) else {
            throw IsolationError(.interpreterNotFound, "python: \(path) did not describe itself: \(result.stdoutText)")
        }
        let real = URL(fileURLWithPath: answer.executable).resolvingSymlinksInPath().path
        let interpreter = PythonInterpreter(
            executable: real, version: answer.version, implementation: answer.implementation, stdlib: answer.stdlib,
            source: source
        )
        if let stamp { answers?.remember(interpreter, for: executable, stamp: stamp) }
        return interpreter
    }

    private final class Cache: Sendable {
        private let storage = Mutex<[String: Result<PythonInterpreter, IsolationError>]>([:])
        func get(_ key: String) -> Result<PythonInterpreter, IsolationError>? { storage.withLock { $0[key] } }
        func set(_ key: String, _ value: Result<PythonInterpreter, IsolationError>) { storage.withLock { $0[key] = value } }
    }
}
