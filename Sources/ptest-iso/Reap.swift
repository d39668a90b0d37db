import ArgumentParser
import Foundation
import IsolationCore
import Logging

/// The session reaper (hidden): started by the library on a session's first
/// environment, never by hand.
struct Reap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Remove a session's leftovers once its last process has gone.",
        shouldDisplay: false
    )

    @Option(help: "The state directory.")
    var home: String

    @Option(help: "The session to watch.")
    var session: String

    @Option(help: "Seconds without a client before the session is removed.")
    var grace: Double = 2

    @Option(help: "Seconds the session's removal may take before the reaper exits (75) for another to take over.")
    var removalDeadline: Double = 600

    @Option(help: "The engine settings file of the session's manager, so the same engines are swept.")
    var engines: String?

    @Flag(help: "Start the reaper in the background and return at once.")
    var detach = false

    func validate() throws {
        guard (0...86_400).contains(grace) else { throw ValidationError("--grace: \(grace) must be 0 to 86400 seconds") }
        guard (0.001...86_400).contains(removalDeadline) else {
            throw ValidationError("--removal-deadline: \(removalDeadline) must be 0.001 to 86400 seconds")
        }
        guard !session.isEmpty else { throw ValidationError("--session: empty; give the session id") }
    }

    func run() async throws {
        let home = URL(fileURLWithPath: self.home)
        let paths = ReaperPaths(home: home, session: session)
        if detach {
            // The starter waits for this process only; the reaper lives on in a session of its own.
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            try SessionReaper.startDetached(
                executable: executable,
                arguments: [
                    "reap", "--home", home.path, "--session", session, "--grace", String(grace), "--removal-deadline",
                    String(removalDeadline),
                ] + (engines.map { ["--engines", $0] } ?? []),
                log: paths.log.path)
            return
        }
        SessionReaper.detachFromStarter()
        let logger = Logger(label: "ptest-iso.reaper", factory: { StreamLogHandler.standardError(label: $0) })
        var reaper = SessionReaper(home: home, session: session, grace: .milliseconds(Int64(grace * 1000)), logger: logger)
        reaper.removalDeadline = .milliseconds(Int64(removalDeadline * 1000))
        reaper.enginesFile = engines.map { URL(fileURLWithPath: $0) }
        switch try await reaper.run() {
        case .alreadyRunning: logger.info("another reaper serves session \(session)")
        case .reaped: break
        }
    }
}
