package import Foundation

/// Registry credentials found the way the `docker` CLI finds them after `docker login`, in
/// `$DOCKER_CONFIG/config.json` (else `~/.docker/config.json`): the credential helper named
/// for the registry in `credHelpers`, else the `credsStore` helper, else the `auths` entry.
///
/// Read at each pull, so a `docker login` during a session counts. The secrets go to the
/// daemon in the pull's auth header and nowhere else. The config directory is the one
/// ``DockerEndpoint`` reads contexts from.
package struct RegistryCredentials: Sendable {
    /// The key Docker Hub has in config files and credential helpers.
    package static let dockerHub = "https://index.docker.io/v1/"
    /// A helper that does not answer in this time is an error, not a hung pull.
    package static let helperTimeout = Duration.seconds(30)

    /// What a credential helper did: its exit status, its output, and whether it was stopped
    /// at the timeout.
    package struct HelperOutput: Sendable {
        package var exitCode: Int32
        package var stdout: Data
        package var stderr: Data
        package var timedOut: Bool

        package init(exitCode: Int32, stdout: Data, stderr: Data, timedOut: Bool) {
            self.exitCode = exitCode
            self.stdout = stdout
            self.stderr = stderr
            self.timedOut = timedOut
        }
    }

    /// Runs a helper executable with arguments, exactly this environment, stdin and a timeout:
    /// the caller's process runner, so that child processes are started in one place.
    package typealias HelperRunner =
        @Sendable (_ executable: String, _ arguments: [String], _ environment: [String: String], _ stdin: Data, _ timeout: Duration)
        async throws -> HelperOutput

    package let configFile: URL
    private let environment: [String: String]
    private let runHelper: HelperRunner

    package init(environment: [String: String], runHelper: @escaping HelperRunner) {
        self.environment = environment
        self.runHelper = runHelper
        configFile = DockerEndpoint.configDirectory(environment).appendingPathComponent("config.json")
    }

    /// The registry an image reference names, as config files key it: the first path component
    /// when it looks like a host (has a `.` or `:`, or is `localhost`), else Docker Hub.
    package static func registry(of image: String) -> String {
        guard let slash = image.firstIndex(of: "/") else { return dockerHub }
        let first = image[..<slash]
        guard first.contains(".") || first.contains(":") || first == "localhost" else { return dockerHub }
        return hostname(String(first))
    }

    /// A config key as a host: `https://registry.example:5000/v2/` → `registry.example:5000`;
    /// Docker Hub's names all become ``dockerHub``.
    package static func hostname(_ key: String) -> String {
        var host = Substring(key)
        for scheme in ["https://", "http://"] where host.hasPrefix(scheme) { host = host.dropFirst(scheme.count) }
        host = host.prefix { $0 != "/" }
        return ["index.docker.io", "docker.io", "registry-1.docker.io"].contains(host) ? dockerHub : String(host)
    }

    /// The credentials for `image`'s registry; `nil` when the config names none (no file, no
    /// entry, or a helper that has none).
    ///
    /// - Throws: ``DockerError`` `invalidConfiguration` naming the config file when it is not valid
    ///   JSON or an `auth` entry is not base64 `user:password`, or naming the helper when it is
    ///   missing from `PATH`, fails, or answers nonsense.
    package func auth(forImage image: String) async throws -> RegistryAuth? {
        let registry = Self.registry(of: image)
        guard let data = try? Data(contentsOf: configFile) else { return nil }
        let config: ConfigFile
        do {
            config = try JSONDecoder().decode(ConfigFile.self, from: data)
        } catch {
            throw DockerError(
                .invalidConfiguration, "docker config: \(configFile.path) is not valid JSON (\(error)); fix it or set DOCKER_CONFIG")
        }
        let helperKey = config.credHelpers?.first { Self.hostname($0.key) == registry }?.value
        if let helper = helperKey ?? config.credsStore, !helper.isEmpty,
            let auth = try await fromHelper(helper, registry: registry, setting: helperKey == nil ? "credsStore" : "credHelpers")
        {
            return auth
        }
        let entry = config.auths?[registry] ?? config.auths?.first { Self.hostname($0.key) == registry }?.value
        return try entry.flatMap { try auth(from: $0, registry: registry) }
    }

    private func auth(from entry: ConfigFile.Entry, registry: String) throws -> RegistryAuth? {
        var username = entry.username
        var password = entry.password
        if let encoded = entry.auth, !encoded.isEmpty {
            guard let decoded = Data(base64Encoded: encoded).map({ String(decoding: $0, as: UTF8.self) }),
                let colon = decoded.firstIndex(of: ":")
            else {
                throw DockerError(
                    .invalidConfiguration,
                    "docker config: the auth of \(registry) in \(configFile.path) is not base64 'user:password'; run `docker login \(registry)` again"
                )
            }
            username = String(decoded[..<colon])
            password = String(decoded[decoded.index(after: colon)...])
        }
        let token = entry.identitytoken.flatMap { $0.isEmpty ? nil : $0 }
        guard username?.isEmpty == false || token != nil else { return nil }
        return RegistryAuth(username: username, password: password, serverAddress: registry, identityToken: token)
    }

    /// Asks `docker-credential-<helper>` for the registry's credentials, as the CLI does: the
    /// server address on stdin, `get`, a JSON answer; "credentials not found" is no answer.
    private func fromHelper(_ helper: String, registry: String, setting: String) async throws -> RegistryAuth? {
        let name = "docker-credential-\(helper)"
        let fix = "install it, or remove \(setting) from \(configFile.path)"
        guard let executable = Self.find(name, path: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin") else {
            throw DockerError(.invalidConfiguration, "docker config: credential helper \(name) is not on PATH; \(fix)")
        }
        let result = try await runHelper(executable, ["get"], environment, Data(registry.utf8), Self.helperTimeout)
        let said = String(decoding: result.stdout + result.stderr, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if result.timedOut {
            throw DockerError(
                .invalidConfiguration, "docker config: credential helper \(name) did not answer in \(Self.helperTimeout); \(fix)")
        }
        guard result.exitCode == 0 else {
            if said.localizedCaseInsensitiveContains("credentials not found") { return nil }
            throw DockerError(.invalidConfiguration, "docker config: credential helper \(name) failed for \(registry) (\(said)); \(fix)")
        }
        struct Answer: Decodable {
            var Username: String
            var Secret: String
        }
        guard let answer = try? JSONDecoder().decode(Answer.self, from: result.stdout) else {
            throw DockerError(
                .invalidConfiguration, "docker config: credential helper \(name) answered no Username and Secret for \(registry); \(fix)")
        }
        // "<token>" is how helpers hand over an identity token instead of a password.
        if answer.Username == "<token>" { return RegistryAuth(serverAddress: registry, identityToken: answer.Secret) }
        return RegistryAuth(username: answer.Username, password: answer.Secret, serverAddress: registry)
    }

    private static func find(_ name: String, path: String) -> String? {
        path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private struct ConfigFile: Decodable {
        struct Entry: Decodable {
            var auth: String?
            var username: String?
            var password: String?
            var identitytoken: String?
        }

        var auths: [String: Entry]?
        var credsStore: String?
        var credHelpers: [String: String]?
    }
}
