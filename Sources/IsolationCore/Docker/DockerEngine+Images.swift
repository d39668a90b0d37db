import DockerAPI

/// Where a container's image comes from: a named image, or the image cache's build of a context.
extension DockerEngine {
    struct ResolvedImage {
        /// What the container is created from: the name as given, or the cached image's id.
        var reference: String
        /// What to record about it: `image`, and for builds `imageCache` (`hit`/`miss`), `imageId`, `contextDigest`.
        var details: [String: String]
    }

    /// Resolves `image` or `build`.
    ///
    /// A named image wins when both are set: restoring a snapshot of a built environment
    /// names the snapshot's image on a spec that still carries its build.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` when neither is given; what
    ///   ``ImageManager`` throws for a build.
    func resolveImage(
        _ image: String?, build: BuildSpec?, subject: String?, client: DockerClient, timeout: Duration = .seconds(3600)
    ) async throws -> ResolvedImage {
        if let image, !image.isEmpty {
            return ResolvedImage(reference: image, details: ["image": image])
        }
        guard let build else {
            throw IsolationError(
                .invalidSpec, field: "image",
                "required by the docker engine, e.g. \"python:3.12-slim\", or build: {\"context\": \"/abs/dir\"}")
        }
        let outcome = try await images.image(for: build, subject: subject, client: client, timeout: timeout)
        return ResolvedImage(
            reference: outcome.entry.image,
            details: [
                "image": outcome.entry.tag, "image_id": outcome.entry.image, "image_cache": outcome.hit ? "hit" : "miss",
                "context_digest": outcome.entry.digest,
            ])
    }
}
