import DockerAPI
public import Foundation

extension DockerEngine: InteractiveEngine {
    public func interactive(
        _ environment: Environment, _ command: Command, size: TerminalSize,
        attached: @escaping @Sendable (any InteractiveTerminal) -> Void,
        output: @escaping @Sendable (Data) async throws -> Void
    ) async throws -> Int32 {
        guard !command.argv.isEmpty else { throw IsolationError(.invalidSpec, field: "argv", "empty; give the program and its arguments") }
        var options = ExecTerminalOptions(command.argv, environment: command.environment, rows: size.rows, columns: size.columns)
        if let directory = command.workingDirectory {
            options.workingDirectory = directory.hasPrefix("/") ? directory : "\(Self.workDirectory(of: environment.spec))/\(directory)"
        }
        let code = try await withClient { client in
            try await client.execWithTerminal(
                environment.location, options, attached: { attached(DockerTerminal(terminal: $0)) }, output: output)
        }
        return Int32(clamping: code)
    }

    /// `bash` where the image has it (checked inside, by the same exec), else `sh`.
    public func shellCommand(_ environment: Environment) -> [String] {
        ["sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash; fi; exec sh"]
    }
}

/// A container exec's terminal, with the daemon's errors turned into the core's.
struct DockerTerminal: InteractiveTerminal {
    let terminal: ExecTerminal

    func write(_ data: Data) async throws {
        do {
            try await terminal.write(data)
        } catch {
            throw IsolationError(.ioFailure, "the session's input is closed: \(error)")
        }
    }

    func closeInput() async {
        terminal.closeInput()
    }

    func resize(_ size: TerminalSize) async throws {
        do {
            try await terminal.resize(rows: size.rows, columns: size.columns)
        } catch let error as DockerError {
            throw DockerEngine.translate(error)
        }
    }
}
