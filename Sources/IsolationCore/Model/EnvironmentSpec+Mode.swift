extension EnvironmentSpec {
    /// The mode a Docker environment runs in: ``mode`` when given; otherwise `service` when the
    /// spec publishes ports or checks readiness (what only a running service answers), else
    /// `sandbox`. The one place this default is decided (docs/decisions/0005-services-and-sandboxes.md).
    public var effectiveMode: DockerMode {
        if let mode { return mode }
        return !ports.isEmpty || !waitFor.isEmpty || healthcheck != nil ? .service : .sandbox
    }
}
