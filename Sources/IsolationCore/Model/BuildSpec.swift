import Foundation

/// An image built from a local context directory, as `docker build` does:
/// the alternative to naming an existing ``EnvironmentSpec/image``.
///
/// Built images are cached by a digest of what the build sends (the context
/// after `.dockerignore`, the Dockerfile, the arguments and the target), so an
/// unchanged context is built once and reused.
public struct BuildSpec: Codable, Sendable, Hashable {
    /// The context directory: an absolute host path.
    public var context: String
    /// The Dockerfile's path, relative to ``context``.
    public var dockerfile: String
    /// Build arguments (`ARG`).
    public var args: [String: String]
    /// The stage of a multi-stage Dockerfile to build; `nil` is the last one.
    public var target: String?

    public init(context: String, dockerfile: String = "Dockerfile", args: [String: String] = [:], target: String? = nil) {
        self.context = context
        self.dockerfile = dockerfile
        self.args = args
        self.target = target
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case context, dockerfile, args, target
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(context: try c.decode(String.self, forKey: .context))
        try c.decode(.dockerfile, into: &dockerfile)
        try c.decode(.args, into: &args)
        try c.decode(.target, into: &target)
    }

    /// The context directory as a URL.
    var contextDirectory: URL { URL(fileURLWithPath: context, isDirectory: true) }

    /// Checks the paths on the host and the argument names.
    ///
    /// - Parameter field: the spec field holding this build (`build`).
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the field and the fix.
    func validate(field: String = "build") throws {
        guard context.hasPrefix("/") else {
            throw IsolationError(
                .invalidSpec, field: "\(field).context", "'\(context)' is a relative path; give the context directory's absolute path")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: context, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw IsolationError(
                .invalidSpec, field: "\(field).context", "'\(context)' is not a directory on the host; create it or fix the path")
        }
        guard !dockerfile.isEmpty, !dockerfile.hasPrefix("/"), !dockerfile.split(separator: "/").contains("..") else {
            throw IsolationError(
                .invalidSpec, field: "\(field).dockerfile",
                "'\(dockerfile)' must be a path inside the context, relative to it, e.g. \"Dockerfile\"")
        }
        guard FileManager.default.fileExists(atPath: contextDirectory.appendingPathComponent(dockerfile).path) else {
            throw IsolationError(
                .invalidSpec, field: "\(field).dockerfile", "'\(dockerfile)' does not exist in \(context); add it or fix the name")
        }
        if let key = args.keys.sorted().first(where: { $0.isEmpty || $0.contains("=") }) {
            throw IsolationError(.invalidSpec, field: "\(field).args", "name '\(key)' must be non-empty and contain no '='")
        }
        if let target, target.isEmpty || target.contains(where: \.isWhitespace) {
            throw IsolationError(
                .invalidSpec, field: "\(field).target", "'\(target)' is not a stage name; give the name after `AS` in the Dockerfile")
        }
    }
}
