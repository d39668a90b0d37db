import DockerAPI

extension DockerEngine {
    /// Creates the container, pulling its image first when the daemon does not have it — as
    /// `docker run` and testcontainers do, with the credentials `docker login` left
    /// (``RegistryCredentials``).
    func createContainerPulling(_ container: ContainerSpec, of environment: Environment, client: DockerClient) async throws
        -> String
    {
        do {
            return try await createContainer(container, of: environment, client: client)
        } catch let error as DockerError
            where error.code == .notFound && error.message.contains("No such image") && environment.spec.build == nil
        {
            // A built image (an id from the image cache) is never pulled: it is built again instead.
            try await pull(container.image, for: environment.id, client: client)
            return try await createContainer(container, of: environment, client: client)
        }
    }

    private func pull(_ image: String, for subject: String, client: DockerClient) async throws {
        let credentials = RegistryCredentials(environment: self.environment)
        let auth: RegistryAuth?
        do {
            auth = try await credentials.auth(forImage: image)
        } catch let error as DockerError {
            // A bad config file or helper: the message names it and the fix.
            throw Self.translate(error)
        }
        images.report(subject, "pulling \(image)")
        let tally = PullTally()
        let started = ContinuousClock.now
        do {
            try await client.pullImage(image, auth: auth) { [images] event in
                // Bytes summed over the layers at each tenth, and layer milestones: an event per
                // downloaded chunk would flood the events.
                if let bytes = tally.record(event) {
                    images.report(subject, "pulling \(image): \(bytes)")
                    return
                }
                guard let status = event.status, event.progressDetail?.total == nil else { return }
                images.report(subject, "pull \(image): \(event.id.map { "\($0): " } ?? "")\(status)")
            }
            images.report(subject, "pulled \(image) in \(ProgressFormat.duration(ContinuousClock.now - started))")
        } catch let error as DockerError where error.code == .unauthorized {
            let registry = RegistryCredentials.registry(of: image)
            throw IsolationError(
                .invalidSpec, field: "image",
                "'\(image)' could not be pulled: \(registry) refused \(auth == nil ? "an anonymous pull" : "the credentials in \(credentials.configFile.path)") (\(error.message)); run `docker login \(registry)`"
            )
        } catch let error as DockerError where error.code != .daemonUnreachable && error.code != .timeout {
            throw IsolationError(
                .invalidSpec, field: "image",
                "'\(image)' is not on the daemon and could not be pulled (\(error.message)); check the name, or build or import it")
        }
    }
}
