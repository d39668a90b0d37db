import Foundation

extension IsolationManager {
    /// Creates a Docker environment of `image` from a virtualenv environment: the same spec
    /// (environment variables included), the venv's packages pinned to their installed versions
    /// and installed with the image's pip (from the spec's `findLinks`, without an index when the
    /// spec is offline), and a copy of the working directory. The source is left as it was.
    ///
    /// - Throws: `invalidSpec` when the source is not a virtualenv environment, or when `image`
    ///   has no `python3` or one whose minor version differs from the venv's (the message says
    ///   which); `installFailed` with pip's output; `timeout` for the whole migration.
    ///   On any failure the new environment is destroyed.
    public func migrate(_ id: String, toImage image: String, timeout: Duration? = nil) async throws -> Environment {
        let (source, engine) = try await usable(id)
        guard source.engine == .virtualenv else {
            throw IsolationError(.invalidSpec, "environment \(id) runs on \(source.engine); only virtualenv environments migrate to Docker")
        }
        guard !image.isEmpty else { throw IsolationError(.invalidSpec, field: "image", "required, e.g. \"python:3.12-slim\"") }
        return try await bounded(timeout, "migrating \(id) to \(image)") {
            let pins = Self.pins(try await engine.installedPackages(source))
            var spec = source.spec
            spec.engine = .docker
            spec.image = image
            // The interpreter is the image's; requirements become the exact versions the venv has.
            spec.python = nil
            // Created without them, so the image's Python is checked before anything is installed.
            spec.requirements = []
            spec.requirementFiles = []
            spec.constraintFiles = []
            spec.withPip = false
            if spec.reuse {
                // The migrated copy is the migrating session's own, not a reused environment.
                spec.reuse = false
                spec.cleanup = .endOfSession
            }
            // Likewise the copy of a session-shared one: the other processes keep finding the source.
            spec.shared = false
            let target = try await self.create(spec)
            do {
                try await self.checkPython(of: target, image: image, against: source.details["python"])
                if !pins.isEmpty {
                    try await self.install(
                        target.id,
                        PackageRequest(requirements: pins, indexURL: spec.indexURL, findLinks: spec.findLinks, offline: spec.offline))
                    _ = try await self.store.updateEnvironment(target.id) { $0.spec.requirements = pins }
                }
                try await self.copyWorkingFiles(from: source, to: target.id)
            } catch {
                try? await self.destroy(target.id)
                throw error
            }
            self.broadcaster.emit(.progress, environment: target.id, detail: "migrated from \(id)")
            return try await self.get(target.id)
        }
    }

    /// `name==version` for each installed distribution, without the installers themselves
    /// (as `pip freeze` leaves them out): the image brings its own.
    static func pins(_ packages: [InstalledPackage]) -> [String] {
        let installers: Set<String> = ["pip", "setuptools", "wheel", "distribute"]
        return packages.filter { !installers.contains($0.name.lowercased()) }.map { "\($0.name)==\($0.version)" }
    }

    /// Refuses an image without `python3`, or whose Python's `major.minor` is not the venv's.
    private func checkPython(of target: Environment, image: String, against venvVersion: String?) async throws {
        let probe = Command(["python3", "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
        let result: CommandResult
        do {
            result = try await run(target.id, probe)
        } catch {
            throw IsolationError(.invalidSpec, field: "image", "'\(image)' has no python3 to migrate to (\(error))")
        }
        let found = result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.exitCode == 0, !found.isEmpty else {
            let said = result.stderrText.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200)
            throw IsolationError(
                .invalidSpec, field: "image",
                "'\(image)' has no python3 to migrate to (running it exited with \(result.exitCode)\(said.isEmpty ? "" : ": \(said)"))"
            )
        }
        func minor(_ version: String) -> String { version.split(separator: ".").prefix(2).joined(separator: ".") }
        if let venvVersion, minor(venvVersion) != minor(found) {
            throw IsolationError(
                .invalidSpec, field: "image",
                "'\(image)' has Python \(found) but the venv has \(venvVersion); their minor versions differ, so its pinned packages may not install or behave alike. Use an image with Python \(minor(venvVersion))"
            )
        }
    }

    /// The working directory's entries, copied out to a temporary directory and in again.
    private func copyWorkingFiles(from source: Environment, to target: String) async throws {
        let staging = FileManager.default.temporaryDirectory.appendingPathComponent("ptest-iso-migrate-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: staging) }
        // "." is the working directory's contents: staging (which does not exist yet) becomes a copy of them.
        try await copyOut(source.id, from: ".", to: staging)
        for entry in try FileManager.default.contentsOfDirectory(at: staging, includingPropertiesForKeys: nil) {
            try await copyIn(target, from: entry, to: ".")
        }
    }
}
