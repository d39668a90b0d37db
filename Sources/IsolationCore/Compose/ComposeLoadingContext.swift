/// What reading one service needs to know of the rest of the project.
struct ComposeLoadingContext {
    /// Relative paths are resolved against it.
    var workingDirectory: String
    /// The caller's environment over `.env`: values for `KEY`-alone variables and `~`.
    var variables: [String: String]
    /// Top-level declarations a service may name.
    var networks: Set<String>
    var volumes: Set<String>
    /// Every service in the files, whatever its profiles.
    var services: Set<String>

    func absolute(_ path: String) -> String {
        ComposeFiles.absolute(path, against: workingDirectory, home: variables["HOME"])
    }
}

/// Where the parts of a service the project-wide checks report were written.
struct ComposeServiceSources {
    var service: ComposeLocation
    /// By dependency name.
    var dependencies: [String: ComposeLocation] = [:]
    /// Parallel to ``ComposeService/ports``.
    var ports: [ComposeLocation] = []
    /// `depends_on` entries with `required: false`, which may name a service that is not there.
    var optionalDependencies: Set<String> = []
}
