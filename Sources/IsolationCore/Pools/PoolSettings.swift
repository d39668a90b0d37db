/// What a warm pool keeps: ready environments of one spec, at least `min` and at most `max`
/// (ready and being created together), refilled in the background (decision 0013).
///
/// JSON (snake_case, strict): `{"name": "py", "spec": {...}, "min": 2, "max": 4}`.
public struct PoolSettings: Codable, Sendable, Hashable {
    /// Names the pool in `acquire`, `pools` and `drain_pool`, and labels its environments.
    public var name: String
    public var spec: EnvironmentSpec
    /// Refills keep this many ready (or being created) whenever they can.
    public var min: Int
    /// Never more than this many ready and being created at once.
    public var max: Int

    /// The largest `max`: a pool holds live environments, each counted against the manager's cap.
    public static let maxSize = 256

    public init(name: String, spec: EnvironmentSpec, min: Int, max: Int) {
        self.name = name
        self.spec = spec
        self.min = min
        self.max = max
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, spec, min, max
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name), spec: try c.decode(EnvironmentSpec.self, forKey: .spec),
            min: try c.decode(Int.self, forKey: .min), max: try c.decode(Int.self, forKey: .max))
    }

    /// Checks the name, the sizes and the spec (which must be one a pool can hand out).
    ///
    /// - Throws: `invalidSpec` naming the field (`name`, `min`, `max`, or a spec field as `create` names it).
    /// A pool's name where it is given: to configure it, or to acquire from or drain it.
    ///
    /// - Throws: `invalidSpec` naming `field`.
    static func checkName(_ name: String, field: String) throws {
        guard !name.isEmpty, name.utf8.count <= SchemaLimits.maxNameLength,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-/".contains($0)) })
        else {
            throw IsolationError(
                .invalidSpec, field: field,
                "must be 1 to \(SchemaLimits.maxNameLength) ASCII letters, digits, '.', '_', '-' or '/' (it is a label value)")
        }
    }

    public func validate() throws {
        typealias L = SchemaLimits
        try Self.checkName(name, field: "name")
        try L.checkInteger(max, "max", 1...Self.maxSize)
        try L.checkInteger(min, "min", 0...max)
        // Spec fields are named as `create` names them: relative to the spec.
        try spec.validate()
        guard !spec.reuse, !spec.shared else {
            throw IsolationError(
                .invalidSpec, field: spec.reuse ? "reuse" : "shared",
                "a pooled environment goes to one test; leave reuse and shared out of a pool's spec")
        }
    }
}
