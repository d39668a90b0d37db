import Foundation
import IsolationCore

/// One environment as `ls` shows it: the default table's cells and `--format`'s fields.
struct EnvironmentRow {
    static let fields = [
        "ID", "Name", "Engine", "Status", "Session", "Shared", "Image", "Python", "Ports", "Created", "Host", "Location", "Labels", "Pool",
    ]
    static let header = ["ID", "NAME", "ENGINE", "IMAGE", "CREATED", "STATUS", "PORTS", "SESSION", "SHARED", "LOCATION"]
    /// The table with a HOST column, before LOCATION: shown when an environment is on a pool's
    /// host or a swarm's node.
    static let headerWithHost = Array(header.dropLast()) + ["HOST", "LOCATION"]
    static let statusColumn = 5
    static let portsColumn = 6

    let environment: Environment

    init(_ environment: Environment) {
        self.environment = environment
    }

    /// What `--format` fields give: whole values, never shortened (the template is the user's).
    var fields: [String: String] {
        [
            "ID": environment.id, "Name": environment.spec.name ?? "", "Engine": environment.engine.rawValue,
            "Status": status, "Session": environment.session, "Shared": List.sharing(of: environment),
            "Image": environment.spec.image ?? "", "Python": python, "Ports": Self.ports(environment.details, prefix: "port."),
            "Created": RelativeTime.ago(environment.createdAt), "Host": host, "Location": environment.location,
            "Labels": environment.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ","),
            "Pool": environment.labels[ResourceLabels.pool] ?? "",
        ]
    }

    /// The status, or `waiting` for a ready environment waiting in its warm pool (`pools`).
    var status: String {
        environment.status == .ready && environment.waitsInPool ? "waiting" : environment.status.rawValue
    }

    /// The pool's host or the swarm's node the environment is on; empty on a single daemon.
    var host: String { environment.details["host"] ?? environment.details["node"] ?? "" }

    /// The interpreter's version once made, else what the spec asked for.
    var python: String { environment.details["python"] ?? environment.spec.python ?? "" }

    /// The default table's cells; `truncated` shortens ids to 12 characters as `docker ps` does
    /// (still a unique prefix that every command takes) and caps long cells with `…`.
    func cells(truncated: Bool, withHost: Bool = false) -> [String] {
        var cells = cells(truncated: truncated)
        if withHost { cells.insert(host.isEmpty ? "-" : host, at: cells.count - 1) }
        return cells
    }

    private func cells(truncated: Bool) -> [String] {
        let image = environment.spec.image ?? (python.isEmpty ? "python" : "python \(python)")
        let cells = [
            environment.id, environment.spec.name ?? "-", environment.engine.rawValue, image,
            RelativeTime.ago(environment.createdAt), status,
            Self.ports(environment.details, prefix: "port.").ifEmpty("-"), environment.session, List.sharing(of: environment),
            environment.location,
        ]
        guard truncated else { return cells }
        let widths = [12, 24, 32, 32, 24, 12, 40, 24, 20, 24]
        return zip(cells, widths).enumerated().map { index, pair in
            index == Self.header.count - 1 ? Self.shortLocation(pair.0, width: pair.1) : Self.shorten(pair.0, to: pair.1, mark: index != 0)
        }
    }

    /// Published ports as docker prints them, host port first: `32768->8080, 32769->9000`.
    /// `prefix` picks the environment's own (`port.`) or one compose service's (`port.NAME.`).
    static func ports(_ details: [String: String], prefix: String) -> String {
        details.compactMap { key, host -> (Int, String)? in
            guard key.hasPrefix(prefix), let port = Int(key.dropFirst(prefix.count)) else { return nil }
            return (port, host)
        }
        .sorted { $0.0 < $1.0 }
        .map { "\($0.1)->\($0.0)" }
        .joined(separator: ", ")
    }

    static func shorten(_ text: String, to width: Int, mark: Bool = true) -> String {
        guard text.count > width else { return text }
        return mark ? text.prefix(width - 1) + "…" : String(text.prefix(width))
    }

    /// A container id shortened as docker does; a path keeps its end, where the id is.
    static func shortLocation(_ location: String, width: Int) -> String {
        guard location.hasPrefix("/") else { return shorten(location, to: 12, mark: false) }
        return location.count > width ? "…" + location.suffix(width - 1) : location
    }
}

extension String {
    fileprivate func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
