import ArgumentParser
import Foundation
import IsolationCore

/// A ready-made service as flags give it: `--service NAME`, `--set NAME=VALUE`, `--env KEY=VALUE`.
struct ServiceFlags {
    var definition: ServiceDefinition

    /// - Throws: `ValidationError` naming the flag: `--service`, `--set NAME` or `--env`.
    init(service: String, settings: [String], variables: [String]) throws {
        guard let kind = ReadyMadeService(rawValue: service) else {
            throw ValidationError("--service '\(service)' must be one of \(ReadyMadeService.names)")
        }
        let settings = try parseVariables(settings, option: "--set")
        let variables = try parseVariables(variables)
        definition = try Self.asFlags { try ServiceDefinition(kind, settings: settings, variables: variables) }
    }

    /// The service's spec, checked as `create` checks it.
    func checkedSpec() throws -> EnvironmentSpec {
        try Self.asFlags { try definition.spec() }
    }

    /// The core names an option `options.NAME`; the user gave it as `--set NAME=...` (or `--env`).
    private static func asFlags<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as IsolationError {
            guard let field = error.field, field.hasPrefix("options.") else { throw ValidationError(error.message) }
            let name = field.dropFirst("options.".count)
            throw ValidationError(name.hasPrefix("environment") ? "--env: \(error.problem)" : "--set \(name): \(error.problem)")
        }
    }
}
