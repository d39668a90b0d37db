public import Foundation

extension DockerEndpoint {
    /// Finds the daemon the way the `docker` CLI does: `DOCKER_HOST`
    /// (with `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`), else the context
    /// named by `DOCKER_CONTEXT` or by `currentContext` in
    /// `~/.docker/config.json`, else the default socket.
    ///
    /// - Throws: ``DockerError/Code/invalidConfiguration`` when a variable,
    ///   the config file or a context is malformed or names missing files.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> DockerEndpoint {
        if let host = environment["DOCKER_HOST"], !host.isEmpty {
            return try parse(host: host, tls: try tlsFromEnvironment(environment))
        }
        let configDir = configDirectory(environment)
        if let name = try currentContextName(environment: environment, configDirectory: configDir),
            name != "default"
        {
            return try contextEndpoint(named: name, configDirectory: configDir)
        }
        return .unixSocket()
    }

    /// The `docker` CLI's configuration directory (contexts, `config.json`): `DOCKER_CONFIG`,
    /// else `~/.docker`. An empty `DOCKER_CONFIG` counts as unset, as for the CLI.
    public static func configDirectory(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        environment["DOCKER_CONFIG"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".docker")
    }

    static func tlsFromEnvironment(_ environment: [String: String]) throws -> TLS? {
        let verify = !(environment["DOCKER_TLS_VERIFY"] ?? "").isEmpty
        let certPath = environment["DOCKER_CERT_PATH"].flatMap { $0.isEmpty ? nil : $0 }
        guard verify || certPath != nil else { return nil }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let directory = certPath ?? URL(fileURLWithPath: home).appendingPathComponent(".docker").path
        let tls = TLS(certificateDirectory: directory, verifyServer: verify)
        for path in [tls.clientCertificatePath, tls.clientKeyPath] + (verify ? [tls.caCertificatePath] : []) {
            if let path, !FileManager.default.fileExists(atPath: path) {
                throw DockerError(
                    .invalidConfiguration,
                    "DOCKER_CERT_PATH: \(path) does not exist; it must hold ca.pem, cert.pem and key.pem"
                )
            }
        }
        return tls
    }

    static func currentContextName(environment: [String: String], configDirectory: URL) throws -> String? {
        if let name = environment["DOCKER_CONTEXT"], !name.isEmpty { return name }
        let configFile = configDirectory.appendingPathComponent("config.json")
        guard let data = try? Data(contentsOf: configFile) else { return nil }
        struct Config: Decodable { var currentContext: String? }
        do {
            return try JSONDecoder().decode(Config.self, from: data).currentContext
        } catch {
            throw DockerError(.invalidConfiguration, "\(configFile.path) is not valid JSON: \(error)")
        }
    }

    /// Reads `contexts/meta/*/meta.json` and picks the one whose `Name`
    /// matches, which avoids recomputing the CLI's SHA-256 directory names.
    static func contextEndpoint(named name: String, configDirectory: URL) throws -> DockerEndpoint {
        struct Meta: Decodable {
            struct Endpoint: Decodable {
                var Host: String?
                var SkipTLSVerify: Bool?
            }
            var Name: String
            var Endpoints: [String: Endpoint]
        }
        let metaRoot = configDirectory.appendingPathComponent("contexts/meta")
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: metaRoot.path)) ?? []
        for entry in entries {
            let file = metaRoot.appendingPathComponent(entry).appendingPathComponent("meta.json")
            guard let data = try? Data(contentsOf: file),
                let meta = try? JSONDecoder().decode(Meta.self, from: data),
                meta.Name == name
            else { continue }
            guard let docker = meta.Endpoints["docker"], let host = docker.Host else {
                throw DockerError(.invalidConfiguration, "docker context '\(name)' has no docker endpoint host")
            }
            let tlsDir = configDirectory.appendingPathComponent("contexts/tls/\(entry)/docker")
            var tls: TLS?
            if FileManager.default.fileExists(atPath: tlsDir.path) {
                tls = TLS(certificateDirectory: tlsDir.path, verifyServer: !(docker.SkipTLSVerify ?? false))
                if !FileManager.default.fileExists(atPath: tls!.caCertificatePath!) {
                    tls!.caCertificatePath = nil
                }
            }
            return try parse(host: host, tls: tls)
        }
        throw DockerError(
            .invalidConfiguration,
            "docker context '\(name)' not found under \(metaRoot.path); run `docker context ls` or unset DOCKER_CONTEXT"
        )
    }
}
