/// A tmpfs mounted in a container: memory-backed, empty at start, gone with the container.
///
/// JSON takes a bare path (`"/tmp"`) or an object (`{"path": "/cache", "size": "64m"}`).
public struct TmpfsMount: Codable, Sendable, Hashable {
    /// An absolute path inside the container.
    public var path: String
    /// A size in the units of `resources.memory` (`64m`); `nil` is the kernel's default (half the RAM).
    public var size: String?

    public init(path: String, size: String? = nil) {
        self.path = path
        self.size = size
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case path, size
    }

    public init(from decoder: any Decoder) throws {
        if let path = try? decoder.singleValueContainer().decode(String.self) {
            self.init(path: path)
            return
        }
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(path: try c.decode(String.self, forKey: .path))
        try c.decode(.size, into: &size)
    }
}
