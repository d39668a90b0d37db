import DockerAPI
import Foundation

/// Secrets reach the container as variables of its configuration, or as
/// files written through exec's stdin into a tmpfs, so a value appears in
/// no command line, image layer, volume or log of ours.
extension DockerEngine {
    /// The container's variables: the spec's, with `env` secrets over them. Redacted secrets (a
    /// spec read back from the store) have no value and are left out.
    static func containerVariables(of spec: EnvironmentSpec) -> [String: String] {
        var variables = spec.environment
        for secret in spec.secrets where secret.delivery == .env {
            if let value = secret.value { variables[secret.name] = value }
        }
        return variables
    }

    /// The names of secrets that have no value, because the spec came from a snapshot.
    static func redactedSecrets(of spec: EnvironmentSpec) -> [String] {
        spec.secrets.filter { $0.value == nil }.map(\.name)
    }

    /// Writes `/run/secrets/<name>`, mode 0400, as the container's user so that user owns it:
    /// with no-new-privileges an exec as root into a non-root container has no capability to `chown`.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming the secret when the image cannot write it (no `sh` or `cat`).
    func writeSecretFiles(_ id: String, spec: EnvironmentSpec, client: DockerClient) async throws {
        for (index, secret) in spec.secrets.enumerated() where secret.delivery == .file {
            guard let value = secret.value else { continue }
            let path = "\(Secret.directory)/\(secret.name)"
            let argv = ["sh", "-c", #"umask 0377 && cat > "$1""#, "ptest-iso-secret", path]
            let result = try await client.exec(id, ExecOptions(argv, stdin: Data(value.utf8)))
            guard result.exitCode == 0 else {
                throw IsolationError(
                    .invalidSpec, field: "secrets[\(index)]",
                    "writing \(path) failed (exit \(result.exitCode): \(result.stderrText.prefix(300))); "
                        + "file secrets need `sh` and `cat` in the image, else use as: \"env\"")
            }
        }
    }

    /// Dockerfile changes that blank `env` secrets in a committed snapshot image,
    /// which would otherwise keep the container's variables.
    static func secretBlankingChanges(of spec: EnvironmentSpec) -> [String] {
        spec.secrets.filter { $0.delivery == .env }.map { "ENV \($0.name)=" }
    }
}
