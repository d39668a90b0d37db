import ArgumentParser
import Foundation
import IsolationCore

@main
struct PtestIso: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ptest-iso",
        abstract: "Create, run, inspect, snapshot and clean up ptest-isolation environments.",
        discussion: """
            Works on the environments of every process sharing the state directory: a pytest run's \
            environments can be inspected here, and one created here can be used by later invocations.

            Examples:
              ptest-iso engines
              ID=$(ptest-iso create --python 3.12 -r requests)
              ptest-iso run "$ID" -- python -c 'import requests'
              ptest-iso rm "$ID"
            """,
        version: PtestIsolationVersion.current,
        subcommands: [
            Doctor.self,
            Engines.self,
            Create.self,
            Services.self,
            List.self,
            Pools.self,
            Inspect.self,
            Run.self,
            Shell.self,
            Job.self,
            Install.self,
            Uninstall.self,
            Packages.self,
            Copy.self,
            Migrate.self,
            Logs.self,
            Stats.self,
            Events.self,
            Stop.self,
            Start.self,
            Restart.self,
            Pause.self,
            Unpause.self,
            Remove.self,
            SnapshotCommand.self,
            Cache.self,
            GC.self,
            Cleanup.self,
            Reap.self,
            Serve.self,
        ]
    )

    /// argument-parser's `main`, with every failure turned into one `Error:` line
    /// and the exit code of ``ExitStatus`` (never a stack trace or a usage screen).
    static func main() async {
        if let unknown = CommandSuggestion.unknownCommand(in: Array(CommandLine.arguments.dropFirst())) {
            StandardStream.failure(unknown)
            Foundation.exit(ExitStatus.usage)
        }
        let failure: (any Error)?
        do {
            var command = try await asyncParseAsRoot(nil)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
            failure = nil
        } catch {
            failure = error
        }
        // Events are written behind the command's back (the database's writer queue): on disk
        // before the process ends, or `ptest-iso events` would never see them.
        await OpenedManagers.shared.settleEvents()
        guard let failure else { return }
        fail(with: failure)
    }

    private static func fail(with failure: any Error) -> Never {
        switch failure {
        case let error as IsolationError:
            StandardStream.failure("\(error.message)")
            Foundation.exit(ExitStatus.code(for: error))
        case let error as RemoteRefusal:
            StandardStream.failure("\(error.message)")
            Foundation.exit(error.exitStatus)
        case let error as ExitCode:
            Foundation.exit(error.rawValue)
        default:
            let code = exitCode(for: failure)
            // Help, version and completion scripts arrive as errors too; they print as argument-parser prints them.
            guard code != .success else { exit(withError: failure) }
            let text = message(for: failure)
            StandardStream.failure("\(text.isEmpty ? "\(failure)" : text)")
            Foundation.exit(code == .failure ? ExitStatus.internalError : code.rawValue)
        }
    }
}

/// Flags every command takes.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print machine-readable JSON instead of a table.")
    var json = false

    /// Read from the command line before parsing, by ``Palette/current``; declared here so it
    /// is accepted and documented.
    @Option(help: "Colour status words and errors: auto (on a terminal, unless NO_COLOR is set), always or never.")
    var color: ColorChoice = .auto
}

/// `-q` for commands that show progress while they work.
struct ProgressOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Show no progress on stderr; print only the result.")
    var quiet = false
}

/// Where the state lives.
struct StateOptions: ParsableArguments {
    /// The session of everything the CLI creates or restores. The process ends at once,
    /// so its environments are kept by TTL or until `rm`, never by session (see `create`).
    static let session = "ptest-iso-cli"

    @Option(help: "The state directory (default: $PTEST_ISO_HOME, else the XDG state directory).")
    var home: String?

    @Option(help: "The engine settings file, JSON or YAML (default: $PTEST_ISO_ENGINES, else engines.json in the home).")
    var engines: String?

    @Option(help: "A ptest-iso serve server to work against instead of this machine (default: $PTEST_ISO_URL, unless --home is given).")
    var url: String?

    @Option(help: "A file holding the server's bearer token (default: $PTEST_ISO_TOKEN).")
    var tokenFile: String?

    @Option(help: "The CA bundle of an https:// server's certificate (default: $PTEST_ISO_CA).")
    var ca: String?

    /// The server of `--url` (or `PTEST_ISO_URL` when no `--home` is given), if any.
    func remote() throws -> RemoteServer? {
        let environment = ProcessInfo.processInfo.environment
        guard let url = url ?? (home == nil ? environment["PTEST_ISO_URL"].flatMap { $0.isEmpty ? nil : $0 } : nil) else {
            return nil
        }
        let token: String
        if let tokenFile {
            do {
                token = try String(contentsOfFile: tokenFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            } catch {
                throw IsolationError(
                    .invalidSpec, field: "--token-file",
                    "cannot read \(SchemaJSON.excerpt(tokenFile, limit: 256)): \(error.localizedDescription)")
            }
        } else {
            token = environment["PTEST_ISO_TOKEN"] ?? ""
        }
        return try RemoteServer(url: url, token: token, ca: ca ?? environment["PTEST_ISO_CA"])
    }

    /// This machine's manager; refused when a server is asked for, so a command that works on
    /// the local state only never acts here in its place.
    func manager() async throws -> IsolationManager {
        if url != nil || (home == nil && !(ProcessInfo.processInfo.environment["PTEST_ISO_URL"] ?? "").isEmpty) {
            throw RemoteRefusal(
                code: "localOnly",
                message: "this command works on this machine's state directory, not on a server; leave out --url (and PTEST_ISO_URL)")
        }
        var configuration = IsolationManager.Configuration(session: Self.session)
        // The manager lives for one command: a copy restored ahead would be removed at its exit unused.
        configuration.restoreAheadDepth = 0
        if let home { configuration.home = URL(fileURLWithPath: home) }
        if let engines { configuration.engineSettingsFile = URL(fileURLWithPath: engines) }
        let manager = try await IsolationManager.open(configuration: configuration)
        OpenedManagers.shared.add(manager)
        return manager
    }
}

/// Where packages come from, for `create` and `install`.
struct PackageSourceOptions: ParsableArguments {
    @Option(help: "A package index to use instead of the default one.")
    var indexURL: String?

    @Option(help: "A directory of wheels to install from; repeat for more.")
    var findLinks: [String] = []

    @Flag(help: "Never reach a package index: install only from --find-links.")
    var offline = false
}
