extension EnvironmentSpec {
    /// Checks where the container's image comes from: a named ``image`` or a ``build``, never both,
    /// and the GPU count.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the field and the fix.
    func validateImageSource() throws {
        if engine == .docker, image == nil, build == nil, compose == nil {
            throw IsolationError(
                .invalidSpec, field: "image",
                "required by the docker engine, e.g. \"python:3.12-slim\", or build: {\"context\": \"/abs/dir\"}, or compose: {\"files\": [\"docker-compose.yml\"]}"
            )
        }
        // Parsed here, before anything is created, so a bad size never leaves a record behind.
        _ = try DockerEngine.containerResources(resources)
        if let build {
            if image != nil {
                throw IsolationError(.invalidSpec, field: "build", "given together with image; keep exactly one of them")
            }
            try build.validate()
        }
        if let gpus = resources?.gpus, gpus < 1 {
            throw IsolationError(.invalidSpec, field: "resources.gpus", "\(gpus) must be at least 1; leave it out for no GPU")
        }
    }
}
