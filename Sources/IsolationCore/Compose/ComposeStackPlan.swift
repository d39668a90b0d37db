import Foundation

/// Which services of a project a stack starts, in what order, and which one is its main
/// service: decided before anything is created, so a bad name fails with nothing to undo.
struct ComposeStackPlan: Sendable {
    let project: ComposeProject
    /// The services to start, each after everything it depends on, otherwise in file order.
    let order: [ComposeService]
    let main: ComposeService

    /// ``order`` cut into waves: each service is in the wave after the last of its dependencies,
    /// so a wave's services can start together once the waves before it are up.
    var waves: [[ComposeService]] {
        var level: [String: Int] = [:]
        for service in order {
            level[service.name] = (service.dependsOn.keys.compactMap { level[$0] }.max() ?? -1) + 1
        }
        let count = (level.values.max() ?? -1) + 1
        return (0..<count).map { wave in order.filter { level[$0.name] == wave } }
    }

    /// The label that marks a stack's main service in a compose file.
    static let mainLabel = "ptest-iso.main"

    init(project: ComposeProject, compose: ComposeSpec) throws {
        self.project = project
        var wanted: [String] = []
        for (index, name) in compose.services.enumerated() {
            guard let service = project.service(name) else {
                throw Self.unknown(name, field: "compose.services[\(index)]", in: project)
            }
            wanted.append(service.name)
        }
        if wanted.isEmpty {
            // As `docker compose up`: every service whose profiles are not all inactive.
            wanted = project.services.filter { $0.profiles.isEmpty || !Set($0.profiles).isDisjoint(with: compose.profiles) }.map(\.name)
        }
        guard !wanted.isEmpty else {
            throw IsolationError(
                .invalidSpec, field: "compose.profiles",
                "no service of \(project.configFiles.joined(separator: ", ")) is in an active profile; activate one of its profiles")
        }
        // What the wanted services depend on starts too, whatever its profiles.
        var selected = Set<String>()
        var pending = wanted
        while let name = pending.popLast() {
            guard selected.insert(name).inserted, let service = project.service(name) else { continue }
            for dependency in service.dependsOn.keys {
                guard project.service(dependency) != nil else {
                    throw IsolationError(
                        .invalidSpec, field: "compose",
                        "\(service.source ?? name): services.\(name).depends_on names '\(dependency)', which is not a service")
                }
                pending.append(dependency)
            }
        }
        order = try Self.startOrder(project.services.filter { selected.contains($0.name) })
        if let name = compose.main {
            guard let service = order.first(where: { $0.name == name }) else {
                if project.service(name) != nil {
                    throw IsolationError(
                        .invalidSpec, field: "compose.main", "'\(name)' is not among the services started; add it to compose.services")
                }
                throw Self.unknown(name, field: "compose.main", in: project)
            }
            main = service
        } else if let service = order.first(where: { $0.labels[Self.mainLabel] == "true" }) ?? order.first(where: { !$0.ports.isEmpty }) {
            main = service
        } else {
            // Not empty: `wanted` was not.
            main = order[0]
        }
    }

    /// Kahn's algorithm, taking the earliest ready service in file order each time.
    private static func startOrder(_ services: [ComposeService]) throws -> [ComposeService] {
        var remaining = services
        var started = Set<String>()
        var order: [ComposeService] = []
        while !remaining.isEmpty {
            guard let index = remaining.firstIndex(where: { $0.dependsOn.keys.allSatisfy(started.contains) }) else {
                let names = remaining.map(\.name).sorted().joined(separator: ", ")
                throw IsolationError(.invalidSpec, field: "compose", "depends_on forms a cycle among \(names); break it")
            }
            let service = remaining.remove(at: index)
            started.insert(service.name)
            order.append(service)
        }
        return order
    }

    private static func unknown(_ name: String, field: String, in project: ComposeProject) -> IsolationError {
        let names = project.services.map(\.name)
        let hint = EditDistance.closest(to: name, in: names).map { "; did you mean '\($0)'?" } ?? ""
        return IsolationError(
            .invalidSpec, field: field, "'\(name)' is not a service of the project (services: \(names.joined(separator: ", ")))\(hint)")
    }
}
