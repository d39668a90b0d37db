import Foundation

extension EnvironmentSpec {
    /// A compose stack takes its containers from its files: the fields that describe one container
    /// are errors beside it, so nothing is silently ignored.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the field and the fix.
    func validateCompose() throws {
        guard let compose else { return }
        try compose.validate()
        var containerFields: [String] = []
        if image != nil { containerFields.append("image") }
        if build != nil { containerFields.append("build") }
        if resources != nil { containerFields.append("resources") }
        if network != nil { containerFields.append("network") }
        if !ports.isEmpty { containerFields.append("ports") }
        if !volumes.isEmpty { containerFields.append("volumes") }
        if !secrets.isEmpty { containerFields.append("secrets") }
        if !requirements.isEmpty || !requirementFiles.isEmpty { containerFields.append("requirements") }
        containerFields += containerOnlyFields
        if let field = containerFields.first {
            throw IsolationError(
                .invalidSpec, field: field,
                "not allowed with compose: a stack's containers come from its compose files; set it there for the service")
        }
        if reuse {
            throw IsolationError(.invalidSpec, field: "reuse", "not supported for compose stacks yet; leave it out")
        }
    }
}
