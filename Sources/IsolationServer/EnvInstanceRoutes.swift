import Foundation
package import Hummingbird
package import IsolationCore
import IsolationProtocol

/// The environment-service seed's `/env-instance` API, translated onto the same protocol calls
/// as `/v1/call` (and so the same owner scoping): an image artifact becomes a docker spec with
/// the deploy config's limits and TTL; `spec` takes the full spec of any engine.
package struct EnvInstanceRoutes: Sendable {
    let calls: CallRoutes

    package init(calls: CallRoutes) {
        self.calls = calls
    }

    package func add(to router: Router<ServerContext>) {
        router.post("/env-instance") { request, context in
            try await envelope { try await create(request, context: context) }
        }
        router.get("/env-instance/{id}") { _, context in
            try await envelope { try await live(try context.parameters.require("id"), context: context) }
        }
        router.delete("/env-instance/{id}") { _, context in
            let id = try context.parameters.require("id")
            let environment = try await live(id, context: context)
            _ = try await calls.dispatch("destroy", ["id": id], context: context)
            removeComposeFile(of: environment)
            return Self.reply(["success": true, "code": 0, "message": "destroyed", "data": ["id": id]])
        }
        router.get("/env-instance") { request, context in
            let (query, name) = try Self.listRequest(request.uri.queryParameters)
            let listing = try await calls.dispatch("list", query, context: context)
            let items = (listing["environments"] as? [[String: Any]] ?? [])
                .filter { name == nil || ($0["spec"] as? [String: Any])?["name"] as? String == name }
                .map { Self.instance($0) }
            return Self.reply(["success": true, "code": 0, "message": "ok", "data": items])
        }
    }

    /// The owner's environment `id`; a destroyed one is gone (404), as the seed's API has it.
    func live(_ id: String, context: ServerContext) async throws -> [String: Any] {
        let environment = try await calls.dispatch("get", ["id": id], context: context)
        guard environment["status"] as? String != "destroyed" else {
            throw ServerError(status: .notFound, code: "notFound", message: "id: environment '\(id)' was destroyed", field: "id")
        }
        return environment
    }

    func create(_ request: Request, context: ServerContext) async throws -> [String: Any] {
        let text = try await RequestBody.text(request, limit: calls.maxBodyBytes)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw ServerError(status: .badRequest, code: "invalidArgument", message: "the body is not a JSON object")
        }
        let known: Set<String> = ["name", "version", "owner", "artifacts", "deployConfig", "spec"]
        if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
            throw ServerError(
                status: .badRequest, code: "invalidArgument",
                message: "\(unknown): unknown field; known fields: \(known.sorted().joined(separator: ", "))", field: unknown)
        }
        if let owner = object["owner"] {
            guard owner as? String == context.owner else {
                throw ServerError(
                    status: .forbidden, code: "forbidden", message: "owner: must be the token's owner, or left out", field: "owner")
            }
        }
        for field in ["name", "version"] where object[field] != nil {
            guard let text = object[field] as? String, (1...128).contains(text.utf8.count) else {
                throw ServerError(
                    status: .badRequest, code: "invalidArgument", message: "\(field): give a string of 1 to 128 bytes", field: field)
            }
        }
        if let spec = object["spec"] {
            guard spec is [String: Any] else {
                throw ServerError(
                    status: .badRequest, code: "invalidArgument", message: "spec: give an object (an environment spec)", field: "spec")
            }
            guard object["artifacts"] == nil, object["deployConfig"] == nil else {
                throw ServerError(
                    status: .badRequest, code: "invalidArgument", message: "spec: give spec or artifacts/deployConfig, not both",
                    field: "spec")
            }
            // A spec names itself; a name or version beside it would be dropped, so it is refused.
            if let field = ["name", "version"].first(where: { object[$0] != nil }) {
                throw ServerError(
                    status: .badRequest, code: "invalidArgument",
                    message: "\(field): not taken with spec; give spec.name, or spec.labels for a version", field: field)
            }
            return try await calls.dispatch("create", ["spec": spec], context: context)
        }
        if object["deployConfig"].map({ !($0 is [String: Any]) }) == true {
            throw ServerError(
                status: .badRequest, code: "invalidArgument", message: "deployConfig: give an object", field: "deployConfig")
        }
        let deploy = object["deployConfig"] as? [String: Any] ?? [:]
        if let unknown = deploy.keys.sorted().first(where: { !["cpu", "memory", "ttl", "composeFile"].contains($0) }) {
            throw ServerError(
                status: .badRequest, code: "invalidArgument", message: "deployConfig.\(unknown): unknown field",
                field: "deployConfig.\(unknown)")
        }
        if let compose = deploy["composeFile"] {
            return try await createStack(compose, deploy: deploy, artifacts: object["artifacts"], name: object["name"], context: context)
        }
        let artifacts = object["artifacts"] as? [[String: Any]] ?? []
        guard artifacts.count == 1, artifacts[0]["type"] as? String == "image", let image = artifacts[0]["content"] as? String,
            !image.isEmpty, artifacts[0].count == 2
        else {
            throw ServerError(
                status: .badRequest, code: "invalidArgument",
                message: "artifacts: give exactly one {\"type\": \"image\", \"content\": IMAGE}", field: "artifacts")
        }
        var spec: [String: Any] = ["engine": "docker", "image": image]
        // The seed's name and version: the environment's name (shown by `ls`, a list filter) and a label.
        if let name = object["name"] { spec["name"] = name }
        if let version = object["version"] {
            guard let version = version as? String, !version.isEmpty, version.utf8.count <= 128 else {
                throw ServerError(
                    status: .badRequest, code: "invalidArgument", message: "version: give 1 to 128 bytes of text", field: "version")
            }
            spec["labels"] = ["ptest-iso-serve.version": version]
        }
        var resources: [String: Any] = [:]
        if let cpu = deploy["cpu"] {
            guard let cpu = cpu as? String, let value = Double(cpu.hasSuffix("C") ? String(cpu.dropLast()) : cpu), value > 0 else {
                throw ServerError(
                    status: .badRequest, code: "invalidArgument", message: "deployConfig.cpu: give CPUs like \"1C\" or \"0.5\"",
                    field: "deployConfig.cpu")
            }
            resources["cpus"] = String(value)
        }
        if let memory = deploy["memory"] {
            guard let memory = memory as? String, let bytes = Self.bytes(memory) else {
                throw ServerError(
                    status: .badRequest, code: "invalidArgument", message: "deployConfig.memory: give memory like \"512Mi\" or \"2Gi\"",
                    field: "deployConfig.memory")
            }
            resources["memory"] = String(bytes)
        }
        if !resources.isEmpty { spec["resources"] = resources }
        if let ttl = deploy["ttl"] {
            guard let ttl = ttl as? String, let seconds = Self.seconds(ttl) else {
                throw ServerError(
                    status: .badRequest, code: "invalidArgument", message: "deployConfig.ttl: give a duration like \"30m\" or \"1h\"",
                    field: "deployConfig.ttl")
            }
            spec["ttl_seconds"] = seconds
        }
        return try await calls.dispatch("create", ["spec": spec], context: context)
    }

    /// `GET /env-instance?status=Running&engine=docker&name=N&label=K=V`: the protocol's `list`
    /// request for the filters, and the name to keep (a spec's name is not a list filter).
    ///
    /// - Throws: 400 naming an unknown parameter or a bad value.
    static func listRequest(_ parameters: some Sequence<(key: Substring, value: Substring)>) throws -> ([String: Any], String?) {
        var request: [String: Any] = [:]
        var statuses: [String] = []
        var labels: [String: String] = [:]
        var name: String?
        func bad(_ key: String, _ problem: String) -> ServerError {
            ServerError(status: .badRequest, code: "invalidArgument", message: "\(key): \(problem)", field: key)
        }
        for (key, value) in parameters {
            let value = String(value).removingPercentEncoding ?? String(value)
            guard value.utf8.count <= 256, !value.isEmpty else { throw bad(String(key), "give 1 to 256 bytes") }
            switch key {
            case "status":
                let seed = [
                    "running": ["ready", "running"], "creating": ["creating"], "stopped": ["stopped"], "paused": ["paused"],
                    "failed": ["failed"], "lost": ["lost"], "destroying": ["destroying"], "destroyed": ["destroyed"],
                ]
                guard let core = seed[value.lowercased()] else {
                    throw bad("status", "'\(value)' is not one of Running, Creating, Stopped, Paused, Failed, Lost, Destroying, Destroyed")
                }
                statuses += core
            case "engine":
                guard ["virtualenv", "docker", "swarm"].contains(value) else {
                    throw bad("engine", "'\(value)' is not one of virtualenv, docker, swarm")
                }
                request["engine"] = value
            case "name":
                guard value.utf8.count <= 128 else { throw bad("name", "give 1 to 128 bytes") }
                name = value
            case "label":
                let parts = value.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { throw bad("label", "'\(value)' is not KEY=VALUE") }
                labels[String(parts[0])] = String(parts[1])
            default:
                throw bad(String(key), "unknown parameter; known: status, engine, name, label")
            }
        }
        if !statuses.isEmpty {
            request["statuses"] = statuses
            request["live_only"] = !statuses.contains("destroyed")
        }
        if !labels.isEmpty { request["labels"] = labels }
        return (request, name)
    }

    /// The largest compose file taken, in UTF-8 bytes.
    static let maxComposeFileBytes = 256 << 10

    /// `deployConfig.composeFile`: a compose stack from the file's text, which the server keeps
    /// under its home (`serve-compose/`, removed with the instance's DELETE, else when the server
    /// stops). Only from a server that trusts its owners with its machine (`--allow-host-access`):
    /// a compose file can bind the server's directories, read its files (`env_file`), build from
    /// them and read its environment's variables.
    func createStack(
        _ compose: Any, deploy: [String: Any], artifacts: Any?, name: Any?, context: ServerContext
    ) async throws -> [String: Any] {
        guard let text = compose as? String, !text.isEmpty, text.utf8.count <= Self.maxComposeFileBytes else {
            throw ServerError(
                status: .badRequest, code: "invalidArgument",
                message: "deployConfig.composeFile: give the compose file's text (1 to \(Self.maxComposeFileBytes) bytes)",
                field: "deployConfig.composeFile")
        }
        guard calls.hostAccess.allowHostAccess else {
            throw ServerError(
                status: .forbidden, code: "forbidden",
                message: """
                    deployConfig.composeFile: a compose file can bind the server's directories, read its files and its \
                    environment's variables; this server does not take them (start it with --allow-host-access for trusted owners)
                    """, field: "deployConfig.composeFile")
        }
        if artifacts != nil {
            throw ServerError(
                status: .badRequest, code: "invalidArgument",
                message: "artifacts: a compose file names its own images; give artifacts or deployConfig.composeFile", field: "artifacts")
        }
        if let other = ["cpu", "memory"].first(where: { deploy[$0] != nil }) {
            throw ServerError(
                status: .badRequest, code: "invalidArgument",
                message: "deployConfig.\(other): a compose file sets its services' limits (deploy.resources.limits); leave it out",
                field: "deployConfig.\(other)")
        }
        let folder = calls.manager.configuration.home.appendingPathComponent(Self.composeFolder)
            .appendingPathComponent(UUID().uuidString.lowercased())
        let file = folder.appendingPathComponent("compose.yaml")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try Data(text.utf8).write(to: file, options: .atomic)
        var spec: [String: Any] = ["compose": ["files": [file.path]], "labels": [Self.composeFolderLabel: folder.lastPathComponent]]
        if let name { spec["name"] = name }
        if let ttl = deploy["ttl"] {
            guard let ttl = ttl as? String, let seconds = Self.seconds(ttl) else {
                try? FileManager.default.removeItem(at: folder)
                throw ServerError(
                    status: .badRequest, code: "invalidArgument", message: "deployConfig.ttl: give a duration like \"30m\" or \"1h\"",
                    field: "deployConfig.ttl")
            }
            spec["ttl_seconds"] = seconds
        }
        do {
            return try await calls.dispatch("create", ["spec": spec], context: context)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    /// Where the server keeps the compose files it was sent, under its home.
    static let composeFolder = "serve-compose"
    /// On an instance made from a compose file: its folder under ``composeFolder``.
    static let composeFolderLabel = "ptest-iso-serve.compose"

    /// Removes the compose file an instance was made from, once the instance is destroyed.
    func removeComposeFile(of environment: [String: Any]) {
        guard let name = (environment["labels"] as? [String: Any])?[Self.composeFolderLabel] as? String,
            !name.isEmpty, !name.contains("/"), name != ".", name != ".."
        else { return }
        let folder = calls.manager.configuration.home.appendingPathComponent(Self.composeFolder).appendingPathComponent(name)
        try? FileManager.default.removeItem(at: folder)
    }

    /// `512Mi`, `2Gi`, `1G`, or bytes.
    static func bytes(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [
            ("Ki", 1 << 10), ("Mi", 1 << 20), ("Gi", 1 << 30), ("K", 1000), ("M", 1_000_000), ("G", 1_000_000_000),
        ]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            guard let value = Int64(text.dropLast(suffix.count)), value > 0, value <= (1 << 40) / factor else { return nil }
            return value * factor
        }
        return Int64(text).flatMap { $0 > 0 ? $0 : nil }
    }

    /// `90s`, `30m`, `1h`, `2d`.
    static func seconds(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        guard let unit = text.last, let factor = units[unit], let value = Double(text.dropLast()), value > 0, value <= 365 else {
            return nil
        }
        return value * factor
    }

    /// The seed's `data`: id, status, ip, ttl, owner.
    static func instance(_ environment: [String: Any]) -> [String: Any] {
        let status = environment["status"] as? String ?? ""
        let details = environment["details"] as? [String: Any] ?? [:]
        let spec = environment["spec"] as? [String: Any] ?? [:]
        let labels = environment["labels"] as? [String: Any] ?? [:]
        return [
            "id": environment["id"] ?? "", "status": ["ready": "Running", "running": "Running"][status] ?? status.capitalized,
            "ip": details["ip"] ?? "", "ttl": (spec["ttl_seconds"] as? Double).map { "\(Int($0))s" } ?? "",
            "owner": labels[OwnerScope.ownerLabel] ?? "",
        ]
    }

    func envelope(_ body: () async throws -> [String: Any]) async throws -> Response {
        Self.reply(["success": true, "code": 0, "message": "ok", "data": Self.instance(try await body())])
    }

    static func reply(_ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
