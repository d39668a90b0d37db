public import Foundation

/// Reads compose files into a ``ComposeProject``, in Compose's steps: each file is parsed
/// (``ComposeYAML``), checked at the top level, interpolated (``ComposeInterpolation``) and
/// normalised; the files are merged in order (``ComposeMerge``); then the merged tree is read
/// into the model, every key checked, and the project checked as a whole.
///
/// The subset of the Compose Specification real projects use is read (see ``ComposeKeys``);
/// anything else is an error, never ignored.
public enum ComposeLoader {
    /// Loads a project from `files` merged in order, like `docker compose -f a.yml -f b.yml`.
    ///
    /// - Parameters:
    ///   - files: compose files; the first one's directory is the project directory, against
    ///     which relative paths (build contexts, bind mounts, env files) are resolved and where
    ///     a `.env` file supplies interpolation defaults.
    ///   - projectName: the name, over the files' `name:` (as `docker compose -p`); without both, the project directory's.
    ///   - environment: variables for interpolation and for `environment` entries given
    ///     without a value; they win over `.env`.
    ///   - profiles: active profiles; a service with profiles is left out unless one is
    ///     active (`*` activates all). Services without profiles are always in.
    /// - Returns: the project; ``ComposeProject/warnings`` lists variables used but not set
    ///   (read as empty strings, as Compose does: not an error).
    /// - Throws: ``IsolationError`` with code ``IsolationError/Code/invalidSpec`` and field
    ///   `compose`, its message `file:line: key.path: problem`: unreadable or invalid YAML,
    ///   unknown or unsupported keys (with the closest known one), bad values, `${VAR:?}` of a
    ///   variable not set, a missing env file, a service with neither `image` nor `build`,
    ///   `depends_on` naming no service or forming a cycle, undeclared networks or volumes,
    ///   clashing published ports, and files over the size, nesting or alias-expansion limits.
    public static func load(
        files: [String], projectName: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment, profiles: [String] = []
    ) throws -> ComposeProject {
        guard let first = files.first else { throw ComposeError.at(nil, nil, "no compose file given") }
        let currentDirectory = FileManager.default.currentDirectoryPath
        let absoluteFiles = files.map { ComposeFiles.absolute($0, against: currentDirectory, home: environment["HOME"]) }
        let workingDirectory = (absoluteFiles[0] as NSString).deletingLastPathComponent
        let variables = try dotEnv(in: workingDirectory, environment: environment).merging(environment) { _, given in given }

        var interpolation = ComposeInterpolation(variables: variables)
        var merged: ComposeNode?
        for (shown, path) in zip(files, absoluteFiles) {
            let text: String
            do {
                text = try ComposeFiles.read(path)
            } catch let failure as ComposeFiles.Failure {
                throw ComposeError.at(nil, nil, "\(shown): \(failure.problem)")
            }
            let tree = try ComposeYAML.parse(text, file: shown)
            _ = try tree.fields("", known: ComposeKeys.topLevel)
            let normalized = ComposeMerge.normalize(try interpolation.interpolate(tree))
            merged = merged.map { ComposeMerge.merge($0, normalized) } ?? normalized
        }
        guard let root = merged else { throw ComposeError.at(nil, nil, "\(first): nothing to load") }
        var project = try read(
            root, name: projectName, workingDirectory: workingDirectory, variables: variables, profiles: profiles)
        project.configFiles = absoluteFiles
        project.warnings = interpolation.warnings
        return project
    }

    /// The project directory's `.env`, when there is one.
    private static func dotEnv(in directory: String, environment: [String: String]) throws -> [String: String] {
        let path = (directory as NSString).appendingPathComponent(".env")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { return [:] }
        var result: [String: String] = [:]
        for (key, value) in try ComposeEnvFile.load(path, shownAs: path, variables: environment, at: nil) {
            if let value { result[key] = value }
        }
        return result
    }

    private static func read(
        _ root: ComposeNode, name: String?, workingDirectory: String, variables: [String: String], profiles: [String]
    ) throws -> ComposeProject {
        let top = try root.fields("", known: ComposeKeys.topLevel)
        let projectName = try self.name(top["name"], given: name, workingDirectory: workingDirectory)
        var project = ComposeProject(name: projectName, workingDirectory: workingDirectory)
        for entry in try declarations(top["networks"], "networks") {
            project.networks[entry.key] = try ComposeNetwork.load(entry.value, ComposePath.key("networks", entry.key))
        }
        for entry in try declarations(top["volumes"], "volumes") {
            project.volumes[entry.key] = try ComposeVolume.load(entry.value, ComposePath.key("volumes", entry.key))
        }
        guard let servicesNode = top["services"] else {
            throw ComposeError.at(root.location, nil, "has no 'services'; a compose project needs at least one")
        }
        let serviceEntries = try servicesNode.mapping("services").filter { !$0.key.hasPrefix("x-") }
        let context = ComposeLoadingContext(
            workingDirectory: workingDirectory, variables: variables, networks: Set(project.networks.keys),
            volumes: Set(project.volumes.keys), services: Set(serviceEntries.map(\.key)))
        var sources: [String: ComposeServiceSources] = [:]
        var disabled: [String: [String]] = [:]
        for entry in serviceEntries {
            guard ComposeProjectName.isServiceName(entry.key) else {
                throw ComposeError.at(
                    entry.keyLocation, ComposePath.key("services", entry.key),
                    "a service name may hold only letters, digits, '.', '-' and '_', starting with a letter or digit")
            }
            let (service, source) = try ComposeService.load(
                entry.value, name: entry.key, nameLocation: entry.keyLocation, context: context)
            guard service.profiles.isEmpty || profiles.contains("*") || service.profiles.contains(where: profiles.contains)
            else {
                disabled[service.name] = service.profiles
                continue
            }
            project.services.append(service)
            sources[service.name] = source
        }
        try project.checkDependencies(sources: sources, disabled: disabled)
        try project.checkPortClashes(sources: sources)
        return project
    }

    /// Top-level `networks:` or `volumes:` by name, `x-` extensions left out.
    private static func declarations(_ node: ComposeNode?, _ path: String) throws -> [ComposeEntry] {
        guard let node, !node.isNull else { return [] }
        return try node.mapping(path).filter { !$0.key.hasPrefix("x-") }
    }

    /// `name:` in the files, else the one given, else the project directory's name.
    private static func name(_ node: ComposeNode?, given: String?, workingDirectory: String) throws -> String {
        // A given name wins over the file's, as `docker compose -p` does: a stack made per test
        // must not collide with another made from the same file.
        if let node, given == nil {
            let written = try node.nonEmptyString("name")
            guard let name = ComposeProjectName.normalize(written), name == written else {
                throw ComposeError.at(
                    node, "name",
                    "'\(ComposePath.excerpt(written))' is not a project name: lowercase letters, digits, '-' and '_', "
                        + "starting with a letter or digit")
            }
            return name
        }
        let candidate = given ?? (workingDirectory as NSString).lastPathComponent
        guard let name = ComposeProjectName.normalize(candidate) else {
            throw ComposeError.at(
                nil, "name", "'\(ComposePath.excerpt(candidate))' leaves no project name once normalised; give one with letters or digits")
        }
        return name
    }
}
