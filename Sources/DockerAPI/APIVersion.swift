import Foundation

/// An Engine API version such as `1.41`.
public struct APIVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(_ major: Int, _ minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// Parses `"1.41"`; `nil` for anything else.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ".")
        guard parts.count == 2, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        self.init(major, minor)
    }

    /// The oldest version this client speaks: Docker 19.03 (device requests for GPUs need it).
    public static let minimumSupported = APIVersion(1, 40)
    /// The newest version this client has been written against.
    public static let maximumSupported = APIVersion(1, 51)

    public var description: String { "\(major).\(minor)" }

    public static func < (lhs: APIVersion, rhs: APIVersion) -> Bool {
        (lhs.major, lhs.minor) < (rhs.major, rhs.minor)
    }

    /// Picks the highest version both sides speak.
    ///
    /// - Parameters:
    ///   - server: the daemon's own (highest) version, from `/_ping` or `/version`.
    ///   - serverMinimum: the oldest version the daemon accepts, when known.
    ///   - supported: the versions this client speaks.
    /// - Throws: ``DockerError/Code/apiVersionUnsupported`` when the ranges do not overlap.
    public static func negotiate(
        server: APIVersion,
        serverMinimum: APIVersion?,
        supported: ClosedRange<APIVersion> = minimumSupported...maximumSupported
    ) throws -> APIVersion {
        if server < supported.lowerBound {
            throw DockerError(
                .apiVersionUnsupported,
                "the daemon speaks Engine API \(server) at most, this client needs \(supported.lowerBound) or newer: upgrade Docker"
            )
        }
        if let serverMinimum, serverMinimum > supported.upperBound {
            throw DockerError(
                .apiVersionUnsupported,
                "the daemon requires Engine API \(serverMinimum) or newer, this client speaks up to \(supported.upperBound): upgrade ptest-isolation"
            )
        }
        return min(server, supported.upperBound)
    }
}
