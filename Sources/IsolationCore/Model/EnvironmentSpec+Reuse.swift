import Foundation

extension EnvironmentSpec {
    /// The fields that say nothing about what the environment is, only about one run's use of
    /// it: they are left out of the reuse key, so runs that differ only in them share one.
    static let perRunFields: Set<String> = ["name", "ttl_seconds", "cleanup", "reuse", "shared"]

    /// Checks that ``reuse`` makes sense with the other fields.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming `reuse`: with `cleanup` `end-of-test`
    ///   or `keep` (a reused environment lives until its TTL), and with `secrets` (their values are
    ///   never stored, so a reused environment could not be known to hold the ones asked for).
    ///   `end-of-session` (the default) and `after-ttl` are not errors: both mean `after-ttl` here.
    func validateReuse() throws {
        try validateShared()
        guard reuse else { return }
        if cleanup == .endOfTest || cleanup == .keep {
            throw IsolationError(
                .invalidSpec, field: "reuse",
                "cannot be combined with cleanup: \"\(cleanup.rawValue)\"; a reused environment lives until its TTL "
                    + "(renewed by each run that reuses it) or `ptest-iso rm`; drop cleanup or reuse")
        }
        if !secrets.isEmpty {
            throw IsolationError(
                .invalidSpec, field: "reuse",
                "cannot be combined with secrets: their values are never stored, so a later run could be handed an "
                    + "environment holding other values; give test credentials as environment, or drop reuse")
        }
    }

    /// Checks that ``shared`` makes sense with the other fields.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming `shared`: with `reuse` (a reused
    ///   environment is shared by every run already), with `cleanup` `end-of-test` (the session's
    ///   other tests use it), and with `secrets` (their values are never stored, so another process
    ///   could be handed one holding other values).
    func validateShared() throws {
        guard shared else { return }
        if reuse {
            throw IsolationError(
                .invalidSpec, field: "shared",
                "cannot be combined with reuse: a reused environment is shared by every run and worker already; drop one of them")
        }
        if cleanup == .endOfTest {
            throw IsolationError(
                .invalidSpec, field: "shared",
                "cannot be combined with cleanup: \"end-of-test\"; a shared environment serves the whole session; drop cleanup or shared")
        }
        if !secrets.isEmpty {
            throw IsolationError(
                .invalidSpec, field: "shared",
                "cannot be combined with secrets: their values are never stored, so another process could be handed an "
                    + "environment holding other values; give test credentials as environment, or drop shared")
        }
    }

    /// The key under which runs find a reused environment of this spec on `engine`: a stable
    /// hash of the spec's canonical JSON (snake_case, sorted keys, fields at their default left
    /// out) without the per-run fields `name`, `ttl_seconds`, `cleanup` and `reuse`. The test
    /// that asks (``ResourceLabels/test``) is not part of a spec, so not of the key either.
    /// What the local inputs hold is: the contents of requirement and constraint files and the
    /// wheels in `find_links` directories, so an edited requirements file gets a new environment.
    ///
    /// Leaving defaults out keeps keys stable when a later version adds a field with a default.
    ///
    /// - Throws: what encoding the spec throws (nothing for a decoded or constructed spec).
    public func reuseKey(engine: EngineKind) throws -> String {
        var shared = self
        shared.engine = engine
        let fields = try Self.canonicalFields(of: shared)
        let defaults = try Self.canonicalFields(of: EnvironmentSpec())
        let kept = fields.filter { !Self.perRunFields.contains($0.key) && $0.value != defaults[$0.key] }
        var canonical = Data("ptest-iso.reuse.v1\n".utf8)
        for (key, value) in kept.sorted(by: { $0.key < $1.key }) {
            canonical.append(Data("\(key)=".utf8) + value + Data("\n".utf8))
        }
        // An unreadable file is left to the create's own checks; its path is in the JSON already.
        for file in requirementFiles + constraintFiles {
            canonical.append(Data("file \(file)=\(InputFingerprint.file(file) ?? "unreadable")\n".utf8))
        }
        for directory in findLinks where !directory.contains("://") {
            canonical.append(Data("links \(directory)=\(InputFingerprint.listing(directory))\n".utf8))
        }
        return Hash128.hex(canonical)
    }

    /// Each top-level field of the spec as canonical JSON bytes (sorted keys, no escaped slashes).
    private static func canonicalFields(of spec: EnvironmentSpec) throws -> [String: Data] {
        let json = try SchemaJSON.encoder().encode(spec)
        guard let object = try JSONSerialization.jsonObject(with: json) as? [String: Any] else { return [:] }
        return try object.mapValues {
            try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        }
    }
}
