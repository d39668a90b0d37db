import Foundation
import Testing

@testable import DockerAPI

/// Credentials as `docker login` leaves them: config files and credential helpers (a real
/// helper executable speaking the helpers' protocol, written per test).
@Suite struct RegistryCredentialsTests {
    /// A config directory holding `config` as its config.json, and `docker-credential-ptest`,
    /// which knows one password, one identity token, and nothing else.
    struct ConfigDirectory: ~Copyable {
        let url: URL

        init(_ config: String) throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("ptest-iso-docker-config-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            try Data(config.utf8).write(to: url.appendingPathComponent("config.json"))
            let helper = url.appendingPathComponent("docker-credential-ptest")
            try Data(
                """
                #!/bin/sh
                [ "$1" = get ] || exit 2
                server=$(cat)
                case "$server" in
                  127.0.0.1:5001) echo '{"ServerURL":"127.0.0.1:5001","Username":"ptest","Secret":"ptest-secret"}' ;;
                  tokens.example) echo '{"ServerURL":"tokens.example","Username":"<token>","Secret":"refresh-token"}' ;;
                  broken.example) echo 'keychain locked' >&2; exit 1 ;;
                  *) echo 'credentials not found in native keychain'; exit 1 ;;
                esac

                """.utf8
            ).write(to: helper)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: helper.path)
        }

        deinit { try? FileManager.default.removeItem(at: url) }

        /// The process environment with this directory as `DOCKER_CONFIG` and its helper on `PATH`.
        var environment: [String: String] {
            var environment = ProcessInfo.processInfo.environment
            environment["DOCKER_CONFIG"] = url.path
            environment["PATH"] = "\(url.path):\(environment["PATH"] ?? "/usr/bin:/bin")"
            return environment
        }

        func credentials() -> RegistryCredentials { RegistryCredentials(environment: environment) }
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    @Test(arguments: [
        ("busybox", RegistryCredentials.dockerHub),
        ("library/busybox:1.36", RegistryCredentials.dockerHub),
        ("someone/app@sha256:abc", RegistryCredentials.dockerHub),
        ("docker.io/library/python:3.12", RegistryCredentials.dockerHub),
        ("127.0.0.1:5001/ptest-iso/busybox:x", "127.0.0.1:5001"),
        ("localhost/app", "localhost"),
        ("ghcr.io/org/image:tag", "ghcr.io"),
    ])
    func theRegistryIsTheReferencesHostOrDockerHub(image: String, registry: String) {
        #expect(RegistryCredentials.registry(of: image) == registry)
    }

    @Test func authsEntriesAreFoundByHostWhateverTheKeysScheme() async throws {
        let directory = try ConfigDirectory(
            """
            {"auths": {
              "https://127.0.0.1:5001/v2/": {"auth": "\(Self.base64("ptest:pass:with:colons"))"},
              "https://index.docker.io/v1/": {"username": "hubuser", "password": "hubpass"},
              "empty.example": {}
            }}
            """)
        let credentials = directory.credentials()
        let local = try await credentials.auth(forImage: "127.0.0.1:5001/ptest-iso/busybox:x")
        #expect(local?.username == "ptest")
        #expect(local?.password == "pass:with:colons")
        #expect(local?.serveraddress == "127.0.0.1:5001")
        let hub = try await credentials.auth(forImage: "python:3.12")
        #expect(hub?.username == "hubuser")
        #expect(hub?.serveraddress == RegistryCredentials.dockerHub)
        // `docker login` with a credential store leaves empty entries behind.
        #expect(try await credentials.auth(forImage: "empty.example/app") == nil)
        #expect(try await credentials.auth(forImage: "other.example/app") == nil)
    }

    @Test func noConfigFileMeansAnAnonymousPull() async throws {
        let environment = ["DOCKER_CONFIG": "/nonexistent/ptest-iso", "PATH": "/usr/bin:/bin"]
        #expect(try await RegistryCredentials(environment: environment).auth(forImage: "127.0.0.1:5001/x") == nil)
    }

    @Test func helpersAnswerForTheirRegistryAndAuthsCoverWhatTheyLack() async throws {
        let directory = try ConfigDirectory(
            """
            {"credsStore": "ptest",
             "credHelpers": {"tokens.example": "ptest"},
             "auths": {"fallback.example": {"auth": "\(Self.base64("file:secret"))"}}}
            """)
        let credentials = directory.credentials()
        let local = try await credentials.auth(forImage: "127.0.0.1:5001/ptest-iso/busybox:x")
        #expect(local?.username == "ptest")
        #expect(local?.password == "ptest-secret")
        let token = try await credentials.auth(forImage: "tokens.example/app")
        #expect(token?.identitytoken == "refresh-token")
        #expect(token?.username == nil)
        // The store has none for this registry ("credentials not found"): the file's entry.
        #expect(try await credentials.auth(forImage: "fallback.example/app")?.username == "file")
        #expect(try await credentials.auth(forImage: "python:3.12") == nil)
    }

    @Test func aBrokenConfigOrHelperIsAnErrorNamingItAndTheFix() async throws {
        let malformed = try ConfigDirectory("{\"auths\": ")
        let notJSON = await #expect(throws: DockerError.self) { try await malformed.credentials().auth(forImage: "busybox") }
        #expect(notJSON?.code == .invalidConfiguration)
        #expect(notJSON?.message.contains("\(malformed.url.path)/config.json is not valid JSON") == true)

        let badAuth = try ConfigDirectory("{\"auths\": {\"127.0.0.1:5001\": {\"auth\": \"bm9jb2xvbg==\"}}}")
        let notUserPassword = await #expect(throws: DockerError.self) {
            try await badAuth.credentials().auth(forImage: "127.0.0.1:5001/x")
        }
        #expect(notUserPassword?.message.contains("run `docker login 127.0.0.1:5001` again") == true)

        let missing = try ConfigDirectory("{\"credHelpers\": {\"127.0.0.1:5001\": \"nowhere\"}}")
        let notOnPath = await #expect(throws: DockerError.self) { try await missing.credentials().auth(forImage: "127.0.0.1:5001/x") }
        #expect(notOnPath?.message.contains("credential helper docker-credential-nowhere is not on PATH") == true)
        #expect(notOnPath?.message.contains("remove credHelpers from") == true)

        let failing = try ConfigDirectory("{\"credsStore\": \"ptest\"}")
        let failed = await #expect(throws: DockerError.self) { try await failing.credentials().auth(forImage: "broken.example/x") }
        #expect(failed?.message.contains("docker-credential-ptest failed for broken.example (keychain locked)") == true)
    }
}

extension RegistryCredentials {
    /// Helpers run with Foundation's `Process`: IsolationCore runs them through its
    /// ProcessRunner, which DockerAPI's tests do not link.
    init(environment: [String: String]) {
        self.init(environment: environment) { executable, arguments, environment, stdin, _ in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.environment = environment
            let input = Pipe()
            let output = Pipe()
            let errors = Pipe()
            process.standardInput = input
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            input.fileHandleForWriting.write(stdin)
            try input.fileHandleForWriting.close()
            let stdout = output.fileHandleForReading.readDataToEndOfFile()
            let stderr = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return HelperOutput(exitCode: process.terminationStatus, stdout: stdout, stderr: stderr, timedOut: false)
        }
    }
}
