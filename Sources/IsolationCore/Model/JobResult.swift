public import Foundation

/// A finished job: its last attempt's exit code and output. A non-zero exit code
/// (after every retry) is a result, not an error.
public struct JobResult: Codable, Sendable, Hashable {
    public var id: String
    public var exitCode: Int32
    /// The last attempt's output (UTF-8, invalid bytes replaced).
    public var stdout: String
    public var stderr: String
    /// From the call to the end of the last attempt, build and backoff included.
    public var durationSeconds: Double
    /// How many times the container ran (1 + the retries used).
    public var attempts: Int
    /// The image the job ran (for a build: the cached image's tag).
    public var image: String
    /// `hit` or `miss` for a build, `nil` for a named image.
    public var imageCache: String?
    /// The finished container, when ``JobSpec/ttlSeconds`` keeps it for inspection.
    public var container: String?
    /// When the kept container may be removed.
    public var expiresAt: Date?

    public var succeeded: Bool { exitCode == 0 }
}
