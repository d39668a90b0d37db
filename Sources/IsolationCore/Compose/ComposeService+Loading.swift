import Foundation

/// One service read from the merged tree; every value interpolated and checked.
extension ComposeService {
    static func load(
        _ node: ComposeNode, name: String, nameLocation: ComposeLocation, context: ComposeLoadingContext
    ) throws -> (ComposeService, ComposeServiceSources) {
        let path = ComposePath.key("services", name)
        let fields = try node.fields(path, known: ComposeKeys.service)
        var service = ComposeService(name: name)
        service.source = nameLocation.description
        var sources = ComposeServiceSources(service: nameLocation)
        var fileEnvironment: [String: String] = [:]
        var environment: [String: String] = [:]
        for entry in fields {
            let value = entry.value
            let fieldPath = ComposePath.key(path, entry.key)
            switch entry.key {
            case "image": service.image = try value.nonEmptyString(fieldPath)
            case "build": service.build = try ComposeBuild.load(value, fieldPath, context: context)
            case "command": service.command = value.isNull ? nil : try value.arguments(fieldPath)
            case "entrypoint": service.entrypoint = value.isNull ? nil : try value.arguments(fieldPath)
            case "environment": environment = try variables(value, fieldPath, context: context)
            case "env_file": fileEnvironment = try envFiles(value, fieldPath, context: context)
            case "ports":
                for (index, item) in try value.sequence(fieldPath).enumerated() {
                    let ports = try ComposePort.load(item, ComposePath.index(fieldPath, index))
                    service.ports += ports
                    sources.ports += Array(repeating: item.location, count: ports.count)
                }
            case "volumes":
                service.volumes = try value.sequence(fieldPath).enumerated().map {
                    try ComposeServiceVolume.load($1, ComposePath.index(fieldPath, $0), context: context)
                }
            case "networks": service.networks = try networks(value, fieldPath, context: context)
            case "depends_on": try dependencies(value, fieldPath, into: &service, sources: &sources, context: context)
            case "healthcheck": service.healthcheck = try ComposeHealthcheck.load(value, fieldPath)
            case "labels": service.labels = try labels(value, fieldPath)
            case "working_dir": service.workingDir = try value.nonEmptyString(fieldPath)
            case "user": service.user = try value.nonEmptyString(fieldPath)
            case "hostname": service.hostname = try value.nonEmptyString(fieldPath)
            case "extra_hosts": service.extraHosts = try extraHosts(value, fieldPath)
            case "tmpfs": service.tmpfs = try value.strings(fieldPath, singleAllowed: true)
            case "cap_add": service.capAdd = try value.strings(fieldPath)
            case "cap_drop": service.capDrop = try value.strings(fieldPath)
            case "privileged": service.privileged = try value.bool(fieldPath)
            case "read_only": service.readOnly = try value.bool(fieldPath)
            case "init": service.runInit = try value.bool(fieldPath)
            case "stop_signal": service.stopSignal = try value.nonEmptyString(fieldPath)
            case "stop_grace_period": service.stopGracePeriodSeconds = try value.duration(fieldPath)
            case "restart": service.restart = try restartPolicy(value, fieldPath)
            case "mem_limit": service.memoryBytes = try value.byteSize(fieldPath)
            case "cpus": service.cpus = try value.double(fieldPath)
            case "shm_size": service.shmSizeBytes = try value.byteSize(fieldPath)
            case "scale": service.replicas = try value.int(fieldPath)
            case "deploy": try deploy(value, fieldPath, into: &service)
            case "profiles": service.profiles = try value.strings(fieldPath)
            default: break
            }
        }
        // `environment` wins over `env_file`, as in Compose.
        service.environment = fileEnvironment.merging(environment) { _, explicit in explicit }
        guard service.image != nil || service.build != nil else {
            throw ComposeError.at(nameLocation, path, "has neither 'image' nor 'build'; give one of them")
        }
        return (service, sources)
    }

    /// `KEY: value` or `KEY=value`; a `KEY` with no value takes the caller's, or is left out.
    private static func variables(_ node: ComposeNode, _ path: String, context: ComposeLoadingContext) throws -> [String: String] {
        var result: [String: String] = [:]
        for (key, value, _) in try node.stringMap(path) {
            if let value = value ?? context.variables[key] { result[key] = value }
        }
        return result
    }

    private static func labels(_ node: ComposeNode, _ path: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for (key, value, _) in try node.stringMap(path) { result[key] = value ?? "" }
        return result
    }

    /// Files in order, a later one overriding an earlier one's keys; each entry a path or
    /// `{path, required}` (a file not required may be missing).
    private static func envFiles(_ node: ComposeNode, _ path: String, context: ComposeLoadingContext) throws -> [String: String] {
        var result: [String: String] = [:]
        for (index, item) in try node.sequence(path).enumerated() {
            let itemPath = ComposePath.index(path, index)
            var file: String
            var required = true
            if item.entries != nil {
                let fields = try item.fields(itemPath, known: ["path", "required"])
                guard let pathNode = fields["path"] else { throw ComposeError.at(item, itemPath, "needs 'path'") }
                file = try pathNode.nonEmptyString(ComposePath.key(itemPath, "path"))
                if let requiredNode = fields["required"] { required = try requiredNode.bool(ComposePath.key(itemPath, "required")) }
            } else {
                file = try item.nonEmptyString(itemPath)
            }
            let absolute = context.absolute(file)
            if !required, !FileManager.default.fileExists(atPath: absolute) { continue }
            let entries = try ComposeEnvFile.load(absolute, shownAs: file, variables: context.variables, at: item.location)
            for (key, value) in entries {
                if let value = value ?? context.variables[key] { result[key] = value }
            }
        }
        return result
    }

    private static func networks(
        _ node: ComposeNode, _ path: String, context: ComposeLoadingContext
    ) throws -> [String: ComposeServiceNetwork] {
        var result: [String: ComposeServiceNetwork] = [:]
        for entry in try node.mapping(path) {
            let entryPath = ComposePath.key(path, entry.key)
            guard entry.key == "default" || context.networks.contains(entry.key) else {
                throw ComposeError.at(
                    entry.keyLocation, entryPath,
                    "names the network '\(entry.key)', which the top-level 'networks' does not declare"
                        + ComposeError.hint(entry.key, among: context.networks.sorted()))
            }
            let fields = try entry.value.fields(entryPath, known: ComposeKeys.serviceNetwork)
            let aliases = try fields["aliases"].map { try $0.strings(ComposePath.key(entryPath, "aliases")) } ?? []
            result[entry.key] = ComposeServiceNetwork(aliases: aliases)
        }
        return result
    }

    private static func dependencies(
        _ node: ComposeNode, _ path: String, into service: inout ComposeService, sources: inout ComposeServiceSources,
        context: ComposeLoadingContext
    ) throws {
        for entry in try node.mapping(path) {
            let entryPath = ComposePath.key(path, entry.key)
            let fields = try entry.value.fields(entryPath, known: ComposeKeys.dependency)
            var condition = ComposeDependency.serviceStarted
            if let conditionNode = fields["condition"] {
                let text = try conditionNode.string(ComposePath.key(entryPath, "condition"))
                guard let parsed = ComposeDependency(rawValue: text) else {
                    let names = ComposeDependency.allCases.map(\.rawValue)
                    throw ComposeError.at(
                        conditionNode, ComposePath.key(entryPath, "condition"),
                        "'\(ComposePath.excerpt(text))' is not one of \(names.joined(separator: ", "))"
                            + ComposeError.hint(text, among: names))
                }
                condition = parsed
            }
            if let requiredNode = fields["required"], try !requiredNode.bool(ComposePath.key(entryPath, "required")) {
                sources.optionalDependencies.insert(entry.key)
            }
            service.dependsOn[entry.key] = condition
            sources.dependencies[entry.key] = entry.keyLocation
        }
    }

    /// `name:ip` or `name=ip` (both Compose forms), or a `name: ip` mapping; kept as `name:ip`.
    private static func extraHosts(_ node: ComposeNode, _ path: String) throws -> [String] {
        if let entries = node.entries {
            return try entries.map { "\($0.key):\(try $0.value.string(ComposePath.key(path, $0.key)))" }
        }
        return try node.strings(path).enumerated().map { index, host in
            if let equals = host.firstIndex(of: "=") {
                return host.replacingCharacters(in: equals...equals, with: ":")
            }
            guard host.contains(":") else {
                throw ComposeError.at(node, ComposePath.index(path, index), "'\(ComposePath.excerpt(host))' is not HOST:IP")
            }
            return host
        }
    }

    private static func restartPolicy(_ node: ComposeNode, _ path: String) throws -> String {
        let text = try node.string(path)
        let parts = text.split(separator: ":", maxSplits: 1)
        switch parts.first {
        case "no", "always",
            "unless-stopped" where parts.count == 1:
            return text
        case "on-failure" where parts.count == 1 || Int(parts[1]).map { $0 >= 0 } == true: return text
        default:
            throw ComposeError.at(node, path, "'\(ComposePath.excerpt(text))' is not no, always, on-failure[:N] or unless-stopped")
        }
    }

    /// `deploy.replicas` and `deploy.resources.limits.{cpus,memory}`.
    private static func deploy(_ node: ComposeNode, _ path: String, into service: inout ComposeService) throws {
        let fields = try node.fields(path, known: ComposeKeys.deploy)
        if let replicas = fields["replicas"] { service.replicas = try replicas.int(ComposePath.key(path, "replicas")) }
        guard let resources = fields["resources"] else { return }
        let resourcesPath = ComposePath.key(path, "resources")
        let resourceFields = try resources.fields(resourcesPath, known: ComposeKeys.resources)
        guard let limits = resourceFields["limits"] else { return }
        let limitsPath = ComposePath.key(resourcesPath, "limits")
        let limitFields = try limits.fields(limitsPath, known: ComposeKeys.limits)
        if let cpus = limitFields["cpus"] { service.cpus = try cpus.double(ComposePath.key(limitsPath, "cpus")) }
        if let memory = limitFields["memory"] { service.memoryBytes = try memory.byteSize(ComposePath.key(limitsPath, "memory")) }
    }
}

extension ComposeBuild {
    /// `build: ./dir` was made `{context: ./dir}` before merging (``ComposeMerge``).
    static func load(_ node: ComposeNode, _ path: String, context: ComposeLoadingContext) throws -> ComposeBuild {
        let fields = try node.fields(path, known: ComposeKeys.build)
        let contextPath = try fields["context"].map { try $0.nonEmptyString(ComposePath.key(path, "context")) } ?? "."
        // A remote context (a Git URL) is the daemon's to fetch, not a path.
        let isRemote = contextPath.contains("://") || contextPath.hasPrefix("git@")
        var build = ComposeBuild(context: isRemote ? contextPath : context.absolute(contextPath))
        for entry in fields {
            let fieldPath = ComposePath.key(path, entry.key)
            switch entry.key {
            case "dockerfile": build.dockerfile = try entry.value.nonEmptyString(fieldPath)
            case "target": build.target = try entry.value.nonEmptyString(fieldPath)
            case "args":
                for (key, value, _) in try entry.value.stringMap(fieldPath) {
                    if let value = value ?? context.variables[key] { build.args[key] = value }
                }
            default: break
            }
        }
        return build
    }
}
