import ArgumentParser
import Foundation
import IsolationCore

struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show an environment's full record: spec, status, session, expiry, location, details.",
        discussion: """
            Works for environments of any process sharing the state directory, destroyed ones included.

            Examples:
              ptest-iso inspect env-3f2a9c1b7d40
              ptest-iso inspect env-3f2a9c1b7d40 --json | jq .spec
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Argument(help: "The environment's id, id prefix or name.", completion: Completions.environments)
    var id: String

    func run() async throws {
        let environment: Environment
        if let remote = try await state.withRemote({ try await $0.resolve(id) }) {
            environment = remote
        } else {
            environment = try await state.manager().resolve(id)
        }
        if output.json {
            return try printJSON(environment)
        }
        let spec = environment.spec
        var fields: [(String, String)] = [
            ("id", environment.id), ("name", spec.name ?? "-"), ("engine", environment.engine.rawValue),
            ("status", environment.status.rawValue), ("session", environment.session), ("created", formatDate(environment.createdAt)),
            ("expires", formatDate(environment.expiresAt)), ("cleanup", spec.cleanup.rawValue), ("location", environment.location),
        ]
        if let python = spec.python { fields.append(("python", python)) }
        if let image = spec.image { fields.append(("image", image)) }
        if !spec.requirements.isEmpty { fields.append(("requirements", spec.requirements.joined(separator: " "))) }
        if let network = spec.network { fields.append(("network", network)) }
        fields += environment.details.sorted { $0.key < $1.key }.map { ("details.\($0.key)", $0.value) }
        fields += environment.labels.sorted { $0.key < $1.key }.map { ("labels.\($0.key)", $0.value) }
        if let failure = environment.failure { fields.append(("failure", failure)) }
        printFields(fields)
    }
}
