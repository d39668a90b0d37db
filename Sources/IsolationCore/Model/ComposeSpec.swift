import Foundation

/// A compose stack as one environment: the files, which services to start, and
/// which one is the environment's main service (its address, ports and the
/// default target of `run`). Docker only.
///
/// JSON: `{"files": ["docker-compose.yml"], "services": ["web"], "main": "web"}`.
public struct ComposeSpec: Codable, Sendable, Hashable {
    /// Compose files, merged in order as `docker compose -f a -f b` does; relative paths are
    /// resolved against the creating process's working directory.
    public var files: [String]
    /// The project name; `nil` makes one unique to the environment (`ptest-iso-<id>`), so two
    /// stacks of one file never collide.
    public var projectName: String?
    /// The services to start, with what they depend on; empty starts every service.
    public var services: [String]
    /// The main service; `nil` picks the one labelled `ptest-iso.main=true`, else the first with
    /// ports, else the first.
    public var main: String?
    /// Variables for the files' `${…}` interpolation, over the process's and the `.env` file's.
    public var environment: [String: String]
    /// Active profiles.
    public var profiles: [String]

    public init(
        files: [String], projectName: String? = nil, services: [String] = [], main: String? = nil,
        environment: [String: String] = [:], profiles: [String] = []
    ) {
        self.files = files
        self.projectName = projectName
        self.services = services
        self.main = main
        self.environment = environment
        self.profiles = profiles
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case files, projectName, services, main, environment, profiles
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownFields(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(files: try c.decode([String].self, forKey: .files))
        try c.decode(.projectName, into: &projectName)
        try c.decode(.services, into: &services)
        try c.decode(.main, into: &main)
        try c.decode(.environment, into: &environment)
        try c.decode(.profiles, into: &profiles)
    }

    /// Checks what needs no file: sizes, names, and that there is a file.
    func validate() throws {
        typealias L = SchemaLimits
        guard !files.isEmpty else {
            throw IsolationError(.invalidSpec, field: "compose.files", "empty; give the compose file, e.g. [\"docker-compose.yml\"]")
        }
        try L.checkTexts(files, "compose.files")
        try L.checkText(projectName, "compose.project_name", max: L.maxNameLength)
        try L.checkTexts(services, "compose.services", maxLength: L.maxNameLength)
        try L.checkText(main, "compose.main", max: L.maxNameLength)
        try L.checkMap(environment, "compose.environment", maxCount: L.maxVariables, maxKey: L.maxPathLength, maxValue: L.maxArgumentLength)
        try L.checkTexts(profiles, "compose.profiles", maxLength: L.maxNameLength)
        if let index = files.firstIndex(where: \.isEmpty) {
            throw IsolationError(.invalidSpec, field: "compose.files[\(index)]", "empty; give a path")
        }
        if let projectName, ComposeSpec.normalizedProjectName(projectName) != projectName {
            throw IsolationError(
                .invalidSpec, field: "compose.project_name",
                "'\(projectName)' is not a project name: use lowercase letters, digits, '-' and '_', starting with a letter or digit")
        }
    }

    /// Compose's rule for project names: lowercase, only `[a-z0-9_-]`, starting with a letter or digit.
    static func normalizedProjectName(_ name: String) -> String {
        let kept = name.lowercased().unicodeScalars.filter {
            ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }
        return String(String.UnicodeScalarView(kept.drop { $0 == "-" || $0 == "_" }))
    }
}
