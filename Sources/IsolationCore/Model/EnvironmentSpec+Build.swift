extension EnvironmentSpec {
    /// Checks where the container's image comes from: a named ``image`` or a ``build``, never both,
    /// and the GPU count.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the field and the fix.
    func validateImageSource() throws {
        if let build {
            if image != nil {
                throw IsolationError(.invalidSpec, "build: given together with image; keep exactly one of them")
            }
            try build.validate()
        }
        if let gpus = resources?.gpus, gpus < 1 {
            throw IsolationError(.invalidSpec, "resources.gpus: \(gpus) must be at least 1; leave it out for no GPU")
        }
    }
}
