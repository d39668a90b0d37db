extension EnvironmentSpec {
    /// A Docker environment installs packages while it is created: there is something to install, or pip is asked for.
    var installsAtCreation: Bool {
        !requirements.isEmpty || !requirementFiles.isEmpty || withPip
    }

    /// The creation's install reaches a package index: it has requirements and is not ``offline``
    /// (pip consults the index even when ``findLinks`` has the wheels).
    var installsFromIndex: Bool {
        !offline && !(requirements.isEmpty && requirementFiles.isEmpty)
    }
}
