import Foundation

/// What an owner may not ask of the server's own machine: a path on it (a bind mount, a build
/// context, a compose file, a requirements file, a copy's host side), a privileged container or
/// its network. Through the C ABI the caller is the machine's user; over HTTP it is whoever
/// holds a token, so each such field is refused (403 `forbidden`, naming the field) unless the
/// server was started with `--allow-host-access` (one trusted user, the same machine).
///
/// Files go in and out over HTTP as archives in the request (`put_archive`, `get_archive`).
package struct HostAccessPolicy: Sendable {
    package var allowHostAccess: Bool

    package init(allowHostAccess: Bool) {
        self.allowHostAccess = allowHostAccess
    }

    /// Methods whose every request names a path on the server.
    static let pathMethods: [String: String] = [
        "copy_in": "source", "copy_out": "destination",
    ]

    /// - Throws: 403 `forbidden` naming the first field that reaches the server's machine.
    package func check(method: String, request text: String) throws {
        guard !allowHostAccess else { return }
        if let field = Self.pathMethods[method] {
            throw Self.refusal(field, "is a path on the server's machine; send the files with put_archive/get_archive instead")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else { return }
        switch method {
        case "create", "configure_pool":
            if let spec = object["spec"] as? [String: Any] { try check(spec: spec, at: "spec") }
        case "install":
            try checkNoPaths(object, at: nil)
        default:
            break
        }
    }

    func check(spec: [String: Any], at prefix: String) throws {
        try checkNoPaths(spec, at: prefix)
        if let volumes = spec["volumes"] as? [Any] {
            for (index, volume) in volumes.enumerated() {
                guard let volume = volume as? [String: Any] else { continue }
                let source = volume["source"] as? String ?? ""
                let type = volume["type"] as? String
                if type == "bind" || (type == nil && (source.contains("/") || source.hasPrefix("."))) {
                    throw Self.refusal(
                        "\(prefix).volumes[\(index)].source", "binds a directory of the server's machine; use a named volume")
                }
            }
        }
        if spec["build"] != nil {
            throw Self.refusal("\(prefix).build", "is a build context on the server's machine; build the image there and name it in image")
        }
        if spec["compose"] != nil {
            throw Self.refusal(
                "\(prefix).compose", "names compose files on the server's machine; send the file with /env-instance's composeFile")
        }
        if spec["privileged"] as? Bool == true {
            throw Self.refusal("\(prefix).privileged", "would give the container the server's machine; leave it out")
        }
        if let added = spec["cap_add"] as? [Any], !added.isEmpty {
            throw Self.refusal("\(prefix).cap_add", "adds capabilities on the server's machine; leave it out")
        }
        if spec["network"] as? String == "host" {
            throw Self.refusal("\(prefix).network", "'host' is the server's own network; leave network out or use 'none'")
        }
    }

    /// Requirement and constraint files and wheel directories are read on the server's machine.
    func checkNoPaths(_ object: [String: Any], at prefix: String?) throws {
        for key in ["requirement_files", "constraint_files", "find_links"] {
            guard let paths = object[key] as? [Any], !paths.isEmpty else { continue }
            throw Self.refusal(
                prefix.map { "\($0).\(key)" } ?? key, "names paths on the server's machine; list requirements instead, with index_url")
        }
    }

    static func refusal(_ field: String, _ problem: String) -> ServerError {
        ServerError(
            status: .forbidden, code: "forbidden", message: "\(field) \(problem) (or start the server with --allow-host-access)",
            field: field)
    }
}
