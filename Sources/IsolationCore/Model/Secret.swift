/// A secret value given to a container, as an environment variable or as
/// the file `/run/secrets/<name>` (mode 0400, on a tmpfs).
///
/// The value never leaves memory through this type: encoding leaves it out,
/// so the state database, `environment.json`, ABI replies and logs hold
/// only the name. A decoded secret without a value is such a redacted copy.
public struct Secret: Codable, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public enum Delivery: String, Codable, Sendable, Hashable, CaseIterable, SchemaEnum {
        case env, file
    }

    /// The variable name, or the file name under `/run/secrets`.
    public var name: String
    /// `nil` once redacted (read back from the state store).
    public var value: String?
    public var delivery: Delivery

    public init(name: String, value: String?, as delivery: Delivery = .env) {
        self.name = name
        self.value = value
        self.delivery = delivery
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, value
        case delivery = "as"
        case redacted
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name), value: try c.decodeIfPresent(String.self, forKey: .value),
            as: try c.decodeIfPresent(Delivery.self, forKey: .delivery) ?? .env)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(delivery, forKey: .delivery)
        // Say so, so a reader of the stored spec knows the value existed and was left out on purpose.
        try c.encode(true, forKey: .redacted)
    }

    public var description: String { "Secret(\(name), as: \(delivery.rawValue), value: \(value == nil ? "none" : "redacted"))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["name": name, "delivery": delivery]) }

    /// Where a file secret is mounted inside the container.
    public static let directory = "/run/secrets"
}
