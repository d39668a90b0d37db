/// Checks across services, once all are read: dependencies that exist and form no cycle,
/// and no two containers publishing the same fixed host port.
extension ComposeProject {
    /// Drops `required: false` dependencies on services that are not there (Compose skips them).
    ///
    /// - Parameter disabled: services left out by profiles, named in the error when depended on.
    mutating func checkDependencies(sources: [String: ComposeServiceSources], disabled: [String: [String]]) throws {
        for index in services.indices {
            let name = services[index].name
            let source = sources[name]
            for dependency in services[index].dependsOn.keys.sorted() where service(dependency) == nil {
                if source?.optionalDependencies.contains(dependency) == true {
                    services[index].dependsOn[dependency] = nil
                    continue
                }
                let location = source?.dependencies[dependency]
                let path = "services.\(name).depends_on.\(dependency)"
                if let profiles = disabled[dependency] {
                    throw ComposeError.at(
                        location, path,
                        "'\(dependency)' is only in the profiles \(profiles.joined(separator: ", ")); activate one of them")
                }
                throw ComposeError.at(
                    location, path,
                    "no service is named '\(dependency)'" + ComposeError.hint(dependency, among: services.map(\.name)))
            }
        }
        try checkCycles(sources: sources)
    }

    /// Depth-first; the first cycle found is named in full (`a -> b -> a`).
    private func checkCycles(sources: [String: ComposeServiceSources]) throws {
        var done: Set<String> = []
        var stack: [String] = []
        func visit(_ name: String) throws {
            if let start = stack.firstIndex(of: name) {
                let cycle = (stack[start...] + [name]).joined(separator: " -> ")
                let from = stack.last!
                throw ComposeError.at(
                    sources[from]?.dependencies[name], "services.\(from).depends_on",
                    "the dependencies form a cycle: \(cycle)")
            }
            guard !done.contains(name), let service = service(name) else { return }
            stack.append(name)
            for dependency in service.dependsOn.keys.sorted() { try visit(dependency) }
            stack.removeLast()
            done.insert(name)
        }
        for service in services { try visit(service.name) }
    }

    /// Two containers cannot bind one host port on overlapping addresses; a service with
    /// several replicas and a fixed published port clashes with itself.
    func checkPortClashes(sources: [String: ComposeServiceSources]) throws {
        struct Binding {
            var service: String
            var location: ComposeLocation?
            var hostIP: String?
        }
        var bound: [String: [Binding]] = [:]
        for service in services {
            for (index, port) in service.ports.enumerated() {
                guard let published = port.published else { continue }
                let key = "\(published)/\(port.protocolName)"
                let location = sources[service.name]?.ports[index]
                let binding = Binding(service: service.name, location: location, hostIP: Self.anyAddress(port.hostIP))
                for replica in 0..<max(service.replicas, 1) {
                    if let other = bound[key]?.first(where: { $0.hostIP == nil || binding.hostIP == nil || $0.hostIP == binding.hostIP }) {
                        let clash =
                            other.service == service.name && replica > 0
                            ? "the service has \(service.replicas) replicas, which cannot all publish it; drop the published port or the replicas"
                            : "'\(other.service)'\(other.location.map { " (\($0))" } ?? "") publishes it too"
                        throw ComposeError.at(location, "services.\(service.name).ports", "the host port \(key) clashes: \(clash)")
                    }
                    if replica == 0 { bound[key, default: []].append(binding) }
                }
            }
        }
    }

    private static func anyAddress(_ ip: String?) -> String? {
        guard let ip, ip != "0.0.0.0", ip != "::" else { return nil }
        return ip
    }
}
