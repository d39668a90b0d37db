import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Built venvs keyed by a hash of what went into them (interpreter,
/// requirements, requirement files' contents, installer options), cloned
/// instead of installed again.
///
/// Safe under concurrent creators in several processes: one builds under
/// a file lock while the others wait, then all clone. Bounded in size:
/// least recently used templates go first.
///
/// A template's `<key>.lock` is deleted with the template (by eviction, or by
/// ``evict(keeping:limit:)`` when its template is gone) only by a holder of the lock, and every
/// locker checks that the file it locked is still the one named: a creator that opened the file
/// just before its deletion retries on a new one instead of building beside a second creator.
final class TemplateCache: Sendable {
    let root: URL
    let maxBytes: Int64

    init(root: URL, maxBytes: Int64) {
        self.root = root
        self.maxBytes = maxBytes
    }

    struct Entry: Codable, Sendable {
        var key: String
        var interpreter: String
        var pythonVersion: String
        var requirements: [String]
        var sizeBytes: Int64
        var createdAt: Date
        var lastUsedAt: Date
    }

    /// The cache key of a spec on an interpreter: a hash of its canonical description.
    static func key(interpreter: PythonInterpreter, spec: EnvironmentSpec) throws -> String {
        var parts = ["v1", interpreter.executable, interpreter.versionString, "pip=\(spec.withPip)", "offline=\(spec.offline)"]
        parts.append("index=\(spec.indexURL ?? "")")
        parts += spec.requirements.map { "req=\($0)" }
        for file in spec.requirementFiles + spec.constraintFiles {
            guard let contents = InputFingerprint.file(file) else {
                throw IsolationError(.invalidSpec, field: "requirement_files", "\(file) cannot be read")
            }
            parts.append("file=\(file):\(contents)")
        }
        for dir in spec.findLinks {
            // A wheel added to a find-links directory must give a new template.
            parts.append("links=\(dir):\(InputFingerprint.listing(dir))")
        }
        return Hash128.hex(Data(parts.joined(separator: "\n").utf8))
    }

    /// The template venv for `key`, built by `build` (into the directory it
    /// is given) when missing. Returns whether it was already there.
    func template(
        key: String,
        describe: Entry,
        build: (URL) async throws -> Void
    ) async throws -> (venv: URL, hit: Bool) {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let directory = root.appendingPathComponent(key)
        let venv = directory.appendingPathComponent("venv")
        let lock = try await FileLock.acquireNamed(lockURL(key))
        defer { lock.release() }
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("template.json").path) {
            touch(key)
            return (venv, true)
        }
        try await rebuild(key: key, describe: describe, build: build)
        return (venv, false)
    }

    /// Builds the template for `key` from scratch (the caller holds its lock).
    private func rebuild(key: String, describe: Entry, build: (URL) async throws -> Void) async throws {
        let directory = root.appendingPathComponent(key)
        let staging = root.appendingPathComponent(".building-\(key)-\(getpid())-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: staging) }
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        try await build(staging.appendingPathComponent("venv"))
        var entry = describe
        entry.key = key
        entry.sizeBytes = TreeCopier.size(of: staging)
        try StatePayload.encode(entry).write(to: staging.appendingPathComponent("template.json"))
        // The venv was built at the staging path; a clone rewrites it, so the template keeps a working venv there.
        try? FileManager.default.removeItem(at: directory)
        try TreeCopier.clone(staging, to: directory, mode: .linkFiles, rewriting: staging.path, with: directory.path)
        // What every later clone checks: a clone's in-place write would show through the shared inode.
        let manifest = TreeCopier.manifest(of: directory.appendingPathComponent("venv"))
        try StatePayload.encode(manifest).write(to: directory.appendingPathComponent("manifest.json"))
        try evict(keeping: key)
    }

    /// The stamps the template's files had when it was built.
    func manifest(_ key: String) throws -> [String: TreeCopier.FileStamp] {
        let file = root.appendingPathComponent(key).appendingPathComponent("manifest.json")
        return try StatePayload.decode([String: TreeCopier.FileStamp].self, from: Data(contentsOf: file))
    }

    /// Drops a template whose files were changed in place, so the next creator rebuilds it.
    func discard(_ key: String) async throws {
        let lock = try await FileLock.acquireNamed(lockURL(key))
        defer { lock.release() }
        try? FileManager.default.removeItem(at: root.appendingPathComponent(key))
    }

    private func lockURL(_ key: String) -> URL {
        root.appendingPathComponent("\(key).lock")
    }

    func touch(_ key: String) {
        let path = root.appendingPathComponent(key).appendingPathComponent("template.json").path
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: path)
    }

    func entries() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.compactMap { name -> Entry? in
            let file = root.appendingPathComponent(name).appendingPathComponent("template.json")
            guard var entry = try? StatePayload.decode(Entry.self, from: Data(contentsOf: file)) else { return nil }
            if let used = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.modificationDate] as? Date {
                entry.lastUsedAt = used
            }
            return entry
        }
    }

    /// Removes least recently used templates until the cache fits `limit`
    /// (default: the configured bound); a template being built or locked is skipped.
    /// Lock files whose template is gone are removed too, each only while held.
    @discardableResult
    func evict(keeping protected: String? = nil, limit: Int64? = nil) throws -> [String] {
        let limit = limit ?? maxBytes
        var entries = entries().sorted { $0.lastUsedAt < $1.lastUsedAt }
        var total = entries.reduce(0) { $0 + $1.sizeBytes }
        var evicted: [String] = []
        while total > limit, let oldest = entries.first {
            entries.removeFirst()
            guard oldest.key != protected, let lock = FileLock.tryAcquireNamed(lockURL(oldest.key)) else {
                continue
            }
            try? FileManager.default.removeItem(at: root.appendingPathComponent(oldest.key))
            // Deleted while held: a creator waiting on this file finds it no longer named and
            // locks a new one (FileLock.acquireNamed).
            unlink(lockURL(oldest.key).path)
            lock.release()
            total -= oldest.sizeBytes
            evicted.append(oldest.key)
        }
        removeUnusedLocks(keeping: protected)
        return evicted
    }

    /// Deletes the lock files of templates that do not exist (left by evictions and discards,
    /// and by creators whose build failed). One that is held belongs to a creator building
    /// its template right now, and stays.
    private func removeUnusedLocks(keeping protected: String?) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for name in names where name.hasSuffix(".lock") {
            let key = String(name.dropLast(".lock".count))
            guard key != protected, let lock = FileLock.tryAcquireNamed(lockURL(key)) else { continue }
            // Checked under the lock: a template appears only while its creator holds it.
            if !FileManager.default.fileExists(atPath: root.appendingPathComponent(key).path) {
                unlink(lockURL(key).path)
            }
            lock.release()
        }
    }
}
