import ArgumentParser
import IsolationCore

struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Destroy environments: their venvs, containers and private networks.",
        discussion: """
            Without --force only environments nobody is using go (ready, stopped or failed); \
            --force removes them in any status, re-destroys one stuck in `destroying`, and \
            passes over already destroyed ones. Every id is tried; the exit code is that of \
            the first failure.

            Examples:
              ptest-iso rm env-3f2a9c1b7d40
              ptest-iso rm --force env-3f2a9c1b7d40 env-81b0c2d4e6f8
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Flag(name: [.short, .long], help: "Remove whatever the status.")
    var force = false

    @Argument(help: "The environments' ids, id prefixes or names.", completion: Completions.environments)
    var ids: [String]

    func validate() throws {
        if ids.isEmpty { throw ValidationError("give at least one environment id") }
    }

    func run() async throws {
        // On a server an owner destroys its environments (whatever their status, as --force).
        let removedRemotely = try await state.withRemote { server in
            try await removeEach { reference in
                let id = try await server.resolve(reference).id
                _ = try await server.call("destroy", ["id": id])
                return id
            }
        }
        if removedRemotely != nil { return }
        let manager = try await state.manager()
        try await removeEach { reference in
            let id = try await manager.resolve(reference).id
            try await manager.remove(id, force: force)
            return id
        }
    }

    /// Tries every id with `remove` (which answers the full id removed), printing each, and
    /// exits with the first failure's code.
    private func removeEach(_ remove: (String) async throws -> String) async throws {
        var removed: [String] = []
        var firstFailure: IsolationError?
        for reference in ids {
            do {
                let id = try await remove(reference)
                removed.append(id)
                if !output.json { print(id) }
            } catch let error as IsolationError {
                StandardStream.failure("\(error.message)")
                firstFailure = firstFailure ?? error
            }
        }
        if output.json { try printJSON(["removed": removed]) }
        if let firstFailure { throw ExitCode(ExitStatus.code(for: firstFailure)) }
    }
}
