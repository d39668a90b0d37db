/// What a Docker environment's container runs (docs/decisions/0005-services-and-sandboxes.md).
public enum DockerMode: String, Codable, Sendable, CaseIterable, SchemaEnum {
    /// The image's own ENTRYPOINT and CMD, as `docker run` and testcontainers start it: a service under test.
    case service
    /// An idle process that keeps the container alive for work that arrives through exec.
    case sandbox
}
