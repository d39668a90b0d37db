import DockerAPI
import Foundation

extension DockerEngine {
    /// A reused container is handed out again only while it exists, its process runs (unless a
    /// test stopped or paused it on purpose: its record says so), and its image is still what
    /// the spec names: a tag pulled or built again since, or a changed build context, gets a new
    /// container, so a run never tests against a stale image.
    ///
    /// A compose stack is handed out while every service's container exists and the main one
    /// runs; its services' images are not compared (a stack made from a changed compose file has
    /// another key anyway).
    public func reuseProblem(_ environment: Environment) async throws -> String? {
        if environment.spec.compose != nil { return try await stackReuseProblem(environment) }
        return try await withClient { client in
            let container: ContainerInspect
            do {
                container = try await client.inspectContainer(environment.location)
            } catch let error as DockerError where error.code == .notFound {
                return "its container \(environment.location.prefix(12)) is gone"
            }
            if [.ready, .running].contains(environment.status), !container.state.running {
                return "its container has \(container.state.status) (exit code \(container.state.exitCode))"
            }
            let spec = environment.spec
            let current: String
            if let image = spec.image, !image.isEmpty {
                do {
                    current = try await client.inspectImage(image).id
                } catch let error as DockerError where error.code == .notFound {
                    return "its image \(image) is no longer on the daemon"
                }
            } else {
                current = try await resolveImage(nil, build: spec.build, subject: environment.id, client: client).reference
            }
            guard current == container.image else {
                return "its image has changed since it was made (\(container.image.prefix(19)) is now \(current.prefix(19)))"
            }
            return nil
        }
    }

    private func stackReuseProblem(_ environment: Environment) async throws -> String? {
        try await withClient { client in
            let containers = environment.details.filter { $0.key.hasPrefix("container.") }
            for (key, id) in containers.sorted(by: { $0.key < $1.key }) {
                let service = key.dropFirst("container.".count)
                let container: ContainerInspect
                do {
                    container = try await client.inspectContainer(id)
                } catch let error as DockerError where error.code == .notFound {
                    return "the container of its service \(service) is gone"
                }
                if id == environment.location, [.ready, .running].contains(environment.status), !container.state.running {
                    return "its main service \(service) has \(container.state.status) (exit code \(container.state.exitCode))"
                }
            }
            return nil
        }
    }
}
