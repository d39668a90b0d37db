import ArgumentParser
import Foundation
import IsolationCore

struct Events: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow what happens to environments and snapshots, in every process of this state directory.",
        discussion: """
            Every process's managers (test runs, the Python package, other ptest-iso commands) record \
            their events in the state database; this command reads that log, checking it for new \
            events about five times a second, until Ctrl-C (exit 130). The log keeps a day of events; \
            --since replays the recent ones first. Progress steps are not recorded.

            Types: created, started, stopped, destroyed, package-installed, package-removed, \
            snapshot-created, snapshot-restored, snapshot-deleted, error.

            Examples:
              ptest-iso events
              ptest-iso events --since 600 --filter type=created --filter type=destroyed
              ptest-iso events --filter env=env-3f2a9c1b7d40 --json
            """
    )

    @OptionGroup var state: StateOptions
    @OptionGroup var output: OutputOptions

    @Option(parsing: .unconditional, help: "First show the recorded events of the last this many seconds.")
    var since: Double?

    @Option(
        help: ArgumentHelp(
            "env=ID (an id or id prefix) or type=TYPE; repeat for more (the same key: either, different keys: both).",
            valueName: "key=value"))
    var filter: [String] = []

    func validate() throws {
        if let since, !(since >= 0) { throw ValidationError("--since must be zero or more seconds") }
        _ = try filters()
    }

    /// The filters by key; a key given twice accepts either value, as `docker events` does.
    func filters() throws -> (environments: [String], types: [String]) {
        var environments: [String] = []
        var types: [String] = []
        for item in filter {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[1].isEmpty else { throw ValidationError("--filter '\(item)' must be env=ID or type=TYPE") }
            switch parts[0] {
            case "env", "environment": environments.append(parts[1])
            case "type":
                guard IsolationEvent.Kind(rawValue: parts[1]) != nil, parts[1] != "progress" else {
                    throw ValidationError("--filter type='\(parts[1])' is not an event type; see `ptest-iso events --help`")
                }
                types.append(parts[1])
            default: throw ValidationError("--filter '\(item)': the key must be env or type")
            }
        }
        return (environments, types)
    }

    func run() async throws {
        let store = try await state.manager().store
        let (environments, types) = try filters()
        let json = output.json
        // Without --since, only what happens from now on.
        let start: (after: Int64?, since: Date?) =
            if let since { (nil, Date().addingTimeInterval(-since)) } else { (try await store.lastEventID(), nil) }
        try await interruptible {
            var last = start.after
            var since = start.since
            while !Task.isCancelled {
                for event in try await store.recordedEvents(after: last, since: since) {
                    last = event.id
                    guard types.isEmpty || types.contains(event.kind) else { continue }
                    guard environments.isEmpty || environments.contains(where: { event.environment?.hasPrefix($0) == true }) else {
                        continue
                    }
                    try Self.show(event, json: json)
                }
                since = nil
                // Another process's write reaches this one only through the file: poll it, at a bounded pace.
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    static func show(_ event: RecordedEvent, json: Bool) throws {
        let line =
            json
            ? String(decoding: try SchemaJSON.encoder().encode(event), as: UTF8.self)
            : [formatDate(event.time), event.kind, event.environment ?? event.snapshot ?? "-", event.detail ?? ""]
                .filter { !$0.isEmpty }.joined(separator: "  ")
        StandardStream.write(Data((line + "\n").utf8), to: .standardOutput)
    }
}
