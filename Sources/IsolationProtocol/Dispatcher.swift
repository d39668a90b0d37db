package import Foundation
package import IsolationCore

/// Maps a method name and its JSON request to one core call. Only
/// translation happens here: every behaviour lives in `IsolationCore`.
package enum Dispatcher {
    package static let methods: Set<String> = [
        "version", "doctor", "session", "choose_engine", "create", "get", "list", "run", "install", "packages", "uninstall",
        "copy_in", "copy_out", "stop", "start", "restart", "pause", "unpause", "destroy", "wait_for_background", "shutdown",
        "hold_session", "stop_standbys", "destroy_session", "destroy_expired",
        "snapshot",
        "snapshots",
        "restore", "delete_snapshot", "export_snapshot", "import_snapshot", "templates", "collect_templates", "cancel_all", "cancel",
        "migrate", "run_job", "cached_images", "collect_images", "engines", "logs", "stats", "remove", "cleanup",
        "run_stream", "follow_logs", "services", "service_spec", "service_connection",
        "configure_pool", "acquire", "pools", "drain_pool",
    ]

    /// Answers the methods whose core calls are synchronous on the caller's own thread: the hop
    /// to the concurrency pool and back is most of a small call's cost. `nil` for any other method.
    package static func callImmediately(_ manager: IsolationManager, method: String, request text: String) throws -> String? {
        if let answer = try callCatalogue(method: method, request: text) { return answer }
        func request<T: ABIRequest>(_ type: T.Type) throws -> T {
            try ProtocolJSON.decode(type, from: text, what: "request")
        }
        if noArguments.contains(method) { _ = try request(EmptyRequest.self) }
        switch method {
        case "version":
            struct Version: Encodable { var abi: UInt32; var `protocol`: UInt32; var version: String }
            return try ProtocolJSON.encode(Version(abi: abiVersion, protocol: protocolVersion, version: PtestIsolationVersion.current))
        case "session":
            struct Session: Encodable { var session: String; var home: String }
            return try ProtocolJSON.encode(Session(session: manager.configuration.session, home: manager.configuration.home.path))
        case "choose_engine":
            struct Choice: Encodable { var engine: EngineKind; var reason: String }
            let choice = try manager.chooseEngine(for: try request(CreateRequest.self).spec ?? EnvironmentSpec())
            return try ProtocolJSON.encode(Choice(engine: choice.engine, reason: choice.reason))
        default:
            return nil
        }
    }

    /// Methods whose request is `{}` (checked before they run, so a field given to them is an error).
    package static let noArguments: Set<String> = [
        "version", "doctor", "session", "engines", "snapshots", "templates", "cached_images", "wait_for_background", "shutdown",
        "hold_session",
    ]

    package static func call(_ manager: IsolationManager, method: String, request text: String) async throws -> String {
        if let answer = try callImmediately(manager, method: method, request: text) { return answer }
        if let answer = try await callPools(manager, method: method, request: text) { return answer }
        func request<T: ABIRequest>(_ type: T.Type) throws -> T {
            try ProtocolJSON.decode(type, from: text, what: "request")
        }
        switch method {
        case "get":
            return try ProtocolJSON.encode(try await manager.get(try request(IDRequest.self).id))
        case "list":
            struct Listing: Encodable { var environments: [Environment] }
            return try ProtocolJSON.encode(Listing(environments: try await manager.list(try request(ListRequest.self).filter)))
        case "doctor":
            return try ProtocolJSON.encode(await Diagnostics.run())
        case "create":
            let body = try request(CreateRequest.self)
            return try ProtocolJSON.encode(
                try await manager.create(body.spec ?? EnvironmentSpec(), timeout: try duration(body.timeoutSeconds), test: body.testId))
        case "run":
            let body = try request(RunRequest.self)
            let command = Command(
                body.argv, environment: body.environment ?? [:], workingDirectory: body.workingDirectory,
                timeoutSeconds: body.timeoutSeconds, stdin: body.stdin.map { Data($0.utf8) })
            return try ProtocolJSON.encode(try await manager.run(body.id, command).text)
        case "install":
            // The same object carries the target (`id`, `timeout_seconds`) and the packages.
            let body = try request(InstallRequest.self)
            return try ProtocolJSON.encode(
                try await manager.install(body.id, body.packages, timeout: try duration(body.timeoutSeconds)).text)
        case "packages":
            struct Packages: Encodable { var packages: [InstalledPackage] }
            return try ProtocolJSON.encode(Packages(packages: try await manager.packages(try request(IDRequest.self).id)))
        case "uninstall":
            let body = try request(UninstallRequest.self)
            return try ProtocolJSON.encode(try await manager.uninstall(body.id, body.names).text)
        case "copy_in":
            let body = try request(CopyRequest.self)
            try await manager.copyIn(body.id, from: URL(fileURLWithPath: body.source), to: body.destination ?? ".")
            return "{}"
        case "copy_out":
            let body = try request(CopyRequest.self)
            guard let destination = body.destination else { throw ABIError.invalidArgument("destination: required", field: "destination") }
            try await manager.copyOut(body.id, from: body.source, to: URL(fileURLWithPath: destination))
            return "{}"
        case "stop", "start", "restart", "pause", "unpause":
            let id = try request(IDRequest.self).id
            switch method {
            case "stop": try await manager.stop(id)
            case "start": try await manager.start(id)
            case "restart": try await manager.restart(id)
            case "pause": try await manager.pause(id)
            default: try await manager.unpause(id)
            }
            return "{}"
        case "destroy":
            let body = try request(IDRequest.self)
            try await manager.destroy(body.id, timeout: try duration(body.timeoutSeconds), background: body.background ?? false)
            return "{}"
        case "wait_for_background":
            await manager.waitForBackgroundWork()
            return "{}"
        case "shutdown":
            await manager.shutdown()
            return "{}"
        case "hold_session":
            try await manager.holdSession()
            return "{}"
        case "stop_standbys":
            try await manager.stopStandbys(after: try request(StopStandbysRequest.self).after ?? 0)
            return "{}"
        case "destroy_session", "destroy_expired":
            struct Destroyed: Encodable { var destroyed: [String] }
            let body = try request(SessionRequest.self)
            let timeout = try duration(body.timeoutSeconds)
            let ids =
                method == "destroy_session"
                ? try await manager.destroySession(body.session, timeout: timeout) : try await manager.destroyExpired(timeout: timeout)
            return try ProtocolJSON.encode(Destroyed(destroyed: ids))
        case "snapshot":
            let body = try request(SnapshotRequest.self)
            return try ProtocolJSON.encode(try await manager.snapshot(body.id, name: body.name, temporary: body.temporary ?? false))
        case "snapshots":
            struct Snapshots: Encodable { var snapshots: [Snapshot] }
            return try ProtocolJSON.encode(Snapshots(snapshots: try await manager.snapshots()))
        case "restore":
            let body = try request(SnapshotRefRequest.self)
            return try ProtocolJSON.encode(
                try await manager.restore(body.snapshot, timeout: try duration(body.timeoutSeconds), test: body.testId))
        case "delete_snapshot":
            try await manager.deleteSnapshot(try request(SnapshotRefRequest.self).snapshot)
            return "{}"
        case "export_snapshot":
            let body = try request(SnapshotRefRequest.self)
            guard let path = body.path else { throw ABIError.invalidArgument("path: required", field: "path") }
            try await manager.exportSnapshot(body.snapshot, to: URL(fileURLWithPath: path))
            return "{}"
        case "import_snapshot":
            let body = try request(ImportRequest.self)
            return try ProtocolJSON.encode(try await manager.importSnapshot(from: URL(fileURLWithPath: body.path), name: body.name))
        case "logs":
            struct Line: Encodable { var stream: LogChunk.Stream; var text: String }
            struct Logs: Encodable { var logs: [Line] }
            let body = try request(LogsRequest.self)
            let chunks = try await manager.logs(body.id, tail: body.tail)
            return try ProtocolJSON.encode(Logs(logs: chunks.map { Line(stream: $0.stream, text: $0.text) }))
        case "migrate":
            let body = try request(MigrateRequest.self)
            return try ProtocolJSON.encode(
                try await manager.migrate(body.id, toImage: body.image, timeout: try duration(body.timeoutSeconds)))
        case "templates":
            struct Templates: Encodable { var templates: [TemplateInfo] }
            return try ProtocolJSON.encode(Templates(templates: manager.templates()))
        case "collect_templates":
            struct Evicted: Encodable { var evicted: [String] }
            return try ProtocolJSON.encode(
                Evicted(evicted: try manager.collectTemplates(maxBytes: try request(CollectRequest.self).maxBytes)))
        case "run_job":
            return try ProtocolJSON.encode(try await manager.runJob(try request(JobRequest.self).spec))
        case "cached_images":
            struct Images: Encodable { var images: [ImageManager.Entry] }
            return try ProtocolJSON.encode(Images(images: manager.cachedImages()))
        case "collect_images":
            struct Evicted: Encodable { var evicted: [ImageManager.Entry] }
            return try ProtocolJSON.encode(Evicted(evicted: try await manager.gc(limit: try request(CollectRequest.self).maxBytes)))
        case "engines":
            struct Engines: Encodable { var engines: [EngineInfo] }
            return try ProtocolJSON.encode(Engines(engines: await manager.engines()))
        case "stats":
            return try ProtocolJSON.encode(try await manager.stats(try request(IDRequest.self).id))
        case "remove":
            let body = try request(RemoveRequest.self)
            try await manager.remove(body.id, force: body.force ?? false, timeout: try duration(body.timeoutSeconds))
            return "{}"
        case "cleanup":
            let body = try request(CleanupRequest.self)
            return try ProtocolJSON.encode(try await manager.cleanup(try body.cleanupScope(), dryRun: body.dryRun ?? false))
        default:
            if streamingMethods.contains(method) {
                throw ABIError.invalidArgument("'\(method)' streams its output; call it with ptest_iso_call_streaming")
            }
            throw ABIError.unknownMethod(method)
        }
    }
}
