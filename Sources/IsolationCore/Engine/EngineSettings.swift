public import Foundation
internal import Yams

/// A section of the engine settings: one engine kind's configuration, which makes its engine.
///
/// Adding an engine to the settings is adding a section type to ``EngineSettings/sections``;
/// the document's shape, its strictness and where it is read from do not change.
public protocol EngineSection: Decodable, Sendable {
    /// The section's key in the settings document, and the kind of the engine it makes.
    static var kind: EngineKind { get }
    /// Checks every value, naming the field under `path` (e.g. `swarm.manager`).
    func validate(path: String) throws
    func makeEngine(home: URL) -> any IsolationEngine
}

/// Which engines a manager has beyond the built-in ones, and which one container specs go to:
/// the `engines` settings document (JSON or YAML), strict like every schema here.
///
/// ```json
/// {"default_container_engine": "swarm", "swarm": {"manager": "unix:///run/docker.sock"}}
/// ```
public struct EngineSettings: Decodable, Sendable {
    /// The section types a document may hold, by key.
    static let sections: [any EngineSection.Type] = [DockerPoolSettings.self, SwarmSettings.self]

    /// The engine a spec that needs a container goes to unless it names one (the one switch that
    /// moves a suite to another engine with the same specs).
    public var defaultContainerEngine: EngineKind?
    public var configured: [any EngineSection] = []

    public init(defaultContainerEngine: EngineKind? = nil, configured: [any EngineSection] = []) {
        self.defaultContainerEngine = defaultContainerEngine
        self.configured = configured
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static let switchKey = "defaultContainerEngine"

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let known = [Self.switchKey] + Self.sections.map { SchemaJSON.swiftName(of: $0.kind.rawValue) }
        let names = known.map(SchemaJSON.snakeName(of:))
        if let unknown = container.allKeys.map(\.stringValue).filter({ !known.contains($0) }).sorted().first {
            throw UnknownFieldError(
                path: decoder.codingPath, key: unknown, known: names.sorted(),
                suggestion: EditDistance.closest(to: SchemaJSON.snakeName(of: unknown), in: names))
        }
        defaultContainerEngine = try container.decodeIfPresent(EngineKind.self, forKey: Key(stringValue: Self.switchKey))
        for section in Self.sections {
            let key = Key(stringValue: SchemaJSON.swiftName(of: section.kind.rawValue))
            guard container.contains(key) else { continue }
            configured.append(try section.init(from: try container.superDecoder(forKey: key)))
        }
    }

    /// - Throws: `invalidSpec` naming the field (`swarm.manager: …`).
    public func validate() throws {
        for section in configured { try section.validate(path: type(of: section).kind.rawValue) }
        if let wanted = defaultContainerEngine, ![EngineKind.docker, .virtualenv].contains(wanted),
            !configured.contains(where: { type(of: $0).kind == wanted })
        {
            throw IsolationError(
                .invalidSpec, field: "default_container_engine",
                "'\(SchemaJSON.excerpt(wanted.rawValue))' has no section in the settings; add that section or name docker")
        }
    }

    /// Reads a settings file: JSON, or YAML (which is read as the same document).
    ///
    /// - Throws: `invalidSpec` naming the file and the field.
    public static func load(_ file: URL) throws -> EngineSettings {
        let path = SchemaJSON.excerpt(file.path, limit: 256)
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw IsolationError(
                .invalidSpec, field: "engines",
                "cannot read \(path) (\(error.localizedDescription)); give a readable settings file (--engines, engines_file, PTEST_ISO_ENGINES)"
            )
        }
        guard data.count <= SchemaJSON.maxDocumentBytes else {
            throw IsolationError(.invalidSpec, field: "engines", "\(path) is over \(SchemaJSON.maxDocumentBytes) bytes")
        }
        var json = data
        if data.first.map({ $0 != UInt8(ascii: "{") }) ?? true, !file.path.hasSuffix(".json") {
            // YAML: turned into the same JSON document, so one decoder checks both.
            do {
                let object = try Yams.load(yaml: String(decoding: data, as: UTF8.self)) ?? [String: Any]()
                json = try JSONSerialization.data(withJSONObject: object)
            } catch {
                throw IsolationError(.invalidSpec, field: "engines", "\(path) is neither JSON nor YAML (\(error))")
            }
        }
        do {
            let settings = try SchemaJSON.decode(EngineSettings.self, from: json, what: "engines")
            try settings.validate()
            return settings
        } catch var error as IsolationError {
            error.message += " (in \(path))"
            throw error
        }
    }

    /// The settings file a process uses: `PTEST_ISO_ENGINES`, else `engines.json` in the home
    /// when there is one, else none. The session's reaper, started with the same environment and
    /// home, reads the same file, so it sweeps the same engines.
    public static func file(home: URL, environment: [String: String]) -> URL? {
        if let path = environment["PTEST_ISO_ENGINES"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let inHome = home.appendingPathComponent("engines.json")
        return FileManager.default.fileExists(atPath: inHome.path) ? inHome : nil
    }
}
