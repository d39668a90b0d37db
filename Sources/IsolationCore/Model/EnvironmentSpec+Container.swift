import Foundation

extension EnvironmentSpec {
    /// Checks the Docker-only fields: paths, names, mounts, secrets, readiness checks, and a
    /// network for an install that needs an index.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the field and the fix.
    func validateContainerFields() throws {
        if network == "none", installsFromIndex {
            throw IsolationError(
                .invalidSpec, field: "network",
                "\"none\" leaves the container no way to a package index, which installing requirements without offline: true needs; "
                    + "drop network (the install then gets an isolated network) or install offline from find_links")
        }
        if let command, command.first?.isEmpty ?? true {
            throw IsolationError(
                .invalidSpec, field: "command", "empty; give the program and its arguments, or leave it out to keep the container idle")
        }
        if let entrypoint, entrypoint.first?.isEmpty ?? true {
            throw IsolationError(
                .invalidSpec, field: "entrypoint", "empty; give the program, or leave it out to keep the image's entrypoint")
        }
        if let workdir { try Self.checkContainerPath(workdir, field: "workdir") }
        if let user, user.isEmpty || user.contains(where: \.isWhitespace) {
            throw IsolationError(
                .invalidSpec, field: "user", "'\(user)' is not a user; give a name or uid, optionally with a group (\"1000:1000\")")
        }
        for (index, mount) in tmpfs.enumerated() {
            try Self.checkContainerPath(mount.path, field: "tmpfs[\(index)].path")
            if let size = mount.size { _ = try ResourceParsing.sizeBytes(size, field: "tmpfs[\(index)].size") }
        }
        for (field, capabilities) in [("cap_add", capAdd), ("cap_drop", capDrop)] {
            if let index = capabilities.firstIndex(where: { $0.isEmpty || !$0.allSatisfy { $0.isLetter || $0 == "_" } }) {
                throw IsolationError(
                    .invalidSpec, field: "\(field)[\(index)]",
                    "'\(capabilities[index])' is not a capability name; use e.g. \"NET_ADMIN\" or \"ALL\""
                )
            }
        }
        try validateVolumes()
        try validateSecrets()
        try validateReadiness()
    }

    private func validateVolumes() throws {
        var targets = Set(tmpfs.map(\.path))
        for (index, volume) in volumes.enumerated() {
            let field = "volumes[\(index)]"
            try Self.checkContainerPath(volume.target, field: "\(field).target")
            guard targets.insert(volume.target).inserted else {
                throw IsolationError(
                    .invalidSpec, field: "\(field).target", "'\(volume.target)' is mounted twice; give each mount its own target")
            }
            switch volume.kind {
            case .volume:
                let allowed = volume.source.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }
                guard allowed, volume.source.first.map({ $0.isLetter || $0.isNumber }) == true else {
                    throw IsolationError(
                        .invalidSpec, field: "\(field).source",
                        "'\(volume.source)' is not a volume name; use letters, digits, '_', '.', '-', or an absolute host path"
                    )
                }
            case .bind:
                guard volume.source.hasPrefix("/") else {
                    throw IsolationError(
                        .invalidSpec, field: "\(field).source", "'\(volume.source)' is a relative host path; give an absolute path")
                }
                guard !volume.source.split(separator: "/").contains("..") else {
                    throw IsolationError(
                        .invalidSpec, field: "\(field).source", "'\(volume.source)' contains '..'; give the resolved absolute path")
                }
                guard FileManager.default.fileExists(atPath: volume.source) else {
                    throw IsolationError(
                        .invalidSpec, field: "\(field).source", "'\(volume.source)' does not exist on the host; create it first")
                }
            }
        }
    }

    private func validateSecrets() throws {
        var names = Set<String>()
        for (index, secret) in secrets.enumerated() {
            let field = "secrets[\(index)]"
            let validName =
                switch secret.delivery {
                // A portable variable name: snapshots blank it with a Dockerfile `ENV` line.
                case .env:
                    secret.name.first.map { $0.isASCII && ($0.isLetter || $0 == "_") } == true
                        && secret.name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
                case .file: !secret.name.isEmpty && !secret.name.contains("/") && secret.name != "." && secret.name != ".."
                }
            guard validName else {
                throw IsolationError(
                    .invalidSpec, field: "\(field).name",
                    "'\(secret.name)' cannot name a \(secret.delivery == .env ? "variable" : "file"); use e.g. \"DB_PASSWORD\""
                )
            }
            guard names.insert(secret.name).inserted else {
                throw IsolationError(.invalidSpec, field: "\(field).name", "'\(secret.name)' is given twice; keep one")
            }
            if secret.value == nil {
                throw IsolationError(.invalidSpec, field: "\(field).value", "missing; give the secret's value")
            }
        }
    }

    private func validateReadiness() throws {
        for (index, strategy) in waitFor.enumerated() {
            let field = "wait_for[\(index)]"
            switch strategy {
            case .log(let pattern, let times):
                do {
                    _ = try NSRegularExpression(pattern: pattern)
                } catch {
                    throw IsolationError(.invalidSpec, field: "\(field).log", "'\(pattern)' is not a regular expression; fix or escape it")
                }
                guard times >= 1 else { throw IsolationError(.invalidSpec, field: "\(field).times", "\(times) must be at least 1") }
            case .tcp(let port):
                guard (1...65535).contains(port) else {
                    throw IsolationError(.invalidSpec, field: "\(field).tcp", "\(port) is not a port number (1 to 65535)")
                }
            case .http(let check):
                guard ports.contains(check.port) else {
                    throw IsolationError(
                        .invalidSpec, field: "\(field).http.port",
                        "\(check.port) is not in ports; publish it (ports: [\(check.port)]) so the host can reach it")
                }
                guard check.path.hasPrefix("/") else {
                    throw IsolationError(.invalidSpec, field: "\(field).http.path", "'\(check.path)' must start with '/'")
                }
                guard (100...599).contains(check.status) else {
                    throw IsolationError(.invalidSpec, field: "\(field).http.status", "\(check.status) is not an HTTP status")
                }
            case .health:
                break
            case .command(let argv):
                guard argv.first.map({ !$0.isEmpty }) == true else {
                    throw IsolationError(.invalidSpec, field: "\(field).command", "empty; give the program and its arguments")
                }
            }
        }
        if let healthcheck {
            guard healthcheck.test.first.map({ !$0.isEmpty }) == true else {
                throw IsolationError(.invalidSpec, field: "healthcheck.test", "empty; give e.g. [\"CMD\", \"pg_isready\"]")
            }
            let durations = [
                ("interval_seconds", healthcheck.intervalSeconds), ("timeout_seconds", healthcheck.timeoutSeconds),
                ("start_period_seconds", healthcheck.startPeriodSeconds),
            ]
            // Docker refuses durations under one millisecond.
            for case (let name, let seconds?) in durations where !(seconds >= 0.001) {
                throw IsolationError(.invalidSpec, field: "healthcheck.\(name)", "\(seconds) must be at least 0.001 seconds")
            }
            if let retries = healthcheck.retries, retries < 0 {
                throw IsolationError(.invalidSpec, field: "healthcheck.retries", "\(retries) must not be negative")
            }
        }
    }

    static func checkContainerPath(_ path: String, field: String) throws {
        guard path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
            throw IsolationError(
                .invalidSpec, field: "\(field)", "'\(path)' must be an absolute path inside the container without '..', e.g. \"/data\"")
        }
    }
}

extension EnvironmentSpec {
    /// The set fields that only make sense for a container, so engine choice can name them.
    var containerOnlyFields: [String] {
        var fields: [String] = []
        if mode != nil { fields.append("mode") }
        if command != nil { fields.append("command") }
        if entrypoint != nil { fields.append("entrypoint") }
        if workdir != nil { fields.append("workdir") }
        if user != nil { fields.append("user") }
        if readOnlyRoot { fields.append("read_only_root") }
        if !tmpfs.isEmpty { fields.append("tmpfs") }
        if !capAdd.isEmpty { fields.append("cap_add") }
        if !capDrop.isEmpty { fields.append("cap_drop") }
        if privileged { fields.append("privileged") }
        if !waitFor.isEmpty { fields.append("wait_for") }
        if healthcheck != nil { fields.append("healthcheck") }
        return fields
    }
}
