import DockerAPI
import Foundation

extension RegistryCredentials {
    /// The credentials `docker login` left, their helpers run by ``ProcessRunner`` as every
    /// child process of the core is (a session of its own, killed whole at the timeout).
    init(environment: [String: String]) {
        self.init(environment: environment) { executable, arguments, environment, stdin, timeout in
            let result = try await ProcessRunner.run(
                executable: executable, arguments: arguments, environment: environment, stdin: stdin, timeout: timeout)
            return HelperOutput(exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, timedOut: result.timedOut)
        }
    }
}
