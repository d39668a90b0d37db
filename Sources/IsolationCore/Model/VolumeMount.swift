/// A volume or a host directory mounted in a container.
///
/// A `source` that is an absolute path is a bind mount of that host path;
/// a plain name is a named volume the environment creates (labelled like
/// everything it owns) and removes when it is destroyed.
public struct VolumeMount: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable, SchemaEnum {
        case volume, bind
    }

    /// A volume name (`data`) or an absolute host path (`/srv/fixtures`).
    public var source: String
    /// An absolute path inside the container.
    public var target: String
    public var readOnly: Bool
    /// `nil` infers the kind from ``source``: a path (anything with `/` or starting with `.`) is a bind mount.
    public var type: Kind?

    public init(source: String, target: String, readOnly: Bool = false, type: Kind? = nil) {
        self.source = source
        self.target = target
        self.readOnly = readOnly
        self.type = type
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case source, target, readOnly, type
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(source: try c.decode(String.self, forKey: .source), target: try c.decode(String.self, forKey: .target))
        try c.decode(.readOnly, into: &readOnly)
        try c.decode(.type, into: &type)
    }

    /// The kind, given or inferred.
    public var kind: Kind {
        type ?? (source.contains("/") || source.hasPrefix(".") ? .bind : .volume)
    }
}
