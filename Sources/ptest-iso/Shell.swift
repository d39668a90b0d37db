import ArgumentParser
import IsolationCore

struct Shell: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Open the environment's shell on a terminal; its exit code becomes ptest-iso's.",
        discussion: """
            A virtualenv's shell is $SHELL (else bash, else sh) with the venv activated (VIRTUAL_ENV \\
            set, its bin first on PATH), in its working directory; a container's is bash where the \\
            image has it, else sh. ptest-iso's terminal is in raw mode until the shell ends \\
            (Ctrl-C goes to the shell), and window size changes are passed on. Needs a terminal on \\
            stdin. For a compose stack, ID/SERVICE opens a shell in that service.

            Examples:
              ptest-iso shell env-3f2a9c1b7d40
              ptest-iso shell env-9c1e0b2f7a44/db --env PGUSER=postgres
            """
    )

    @OptionGroup var state: StateOptions

    @Argument(help: "The environment's id (ID/SERVICE for a compose stack's service).")
    var id: String

    @Option(name: .customLong("env"), help: "A variable for the shell, as KEY=VALUE; repeat for more.")
    var variables: [String] = []

    func validate() throws {
        _ = try parseVariables(variables)
        try validateTerminal(json: false)
    }

    func run() async throws {
        let manager = try await state.manager()
        let (id, variables) = (id, try parseVariables(variables))
        let code = try await interruptible {
            try await attachTerminal(forwardInput: true) { size, body in
                try await manager.shell(id, environment: variables, size: size, body)
            }
        }
        throw ExitCode(code)
    }
}
