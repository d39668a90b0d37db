import DockerAPI

/// A spec's resource limits as the container's host config, and the daemon's GPU refusal as a spec error.
extension DockerEngine {
    /// Memory (swap forbidden), CPUs, the process cap and GPUs.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the `resources.` field.
    static func containerResources(_ limits: ResourceLimits?) throws -> ContainerSpec.Resources {
        var resources = ContainerSpec.Resources()
        guard let limits else { return resources }
        resources.memoryBytes = try limits.memory.map(ResourceParsing.memoryBytes)
        resources.memorySwapBytes = resources.memoryBytes
        resources.nanoCPUs = try limits.cpus.map(ResourceParsing.nanoCPUs)
        if let pids = limits.pids {
            guard pids > 0 else { throw IsolationError(.invalidSpec, field: "resources.pids", "\(pids) must be positive") }
            resources.pidsLimit = pids
        }
        if let gpus = limits.gpus {
            guard gpus > 0 else { throw IsolationError(.invalidSpec, field: "resources.gpus", "\(gpus) must be at least 1") }
            // What `docker run --gpus N` sends: any driver that offers the `gpu` capability.
            resources.gpus = ContainerSpec.GPURequest(count: gpus, driver: "", capabilities: ["gpu"])
        }
        return resources
    }

    /// The daemon accepts a GPU request at create and refuses it at start on a host without a
    /// GPU device driver; its words name no spec field, so this names `resources.gpus`.
    static func gpuFailure(_ error: DockerError) -> IsolationError? {
        let text = error.message.lowercased()
        guard text.contains("could not select device driver") || text.contains("nvidia-container-cli") else { return nil }
        return IsolationError(
            .invalidSpec, field: "resources.gpus",
            "the Docker daemon cannot give GPUs to the container (\(error.message)); "
                + "run on a host with a GPU and its container toolkit, or leave resources.gpus out")
    }
}
