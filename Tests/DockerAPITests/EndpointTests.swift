import DockerAPI
import Foundation
import Testing

@Suite struct EndpointTests {
    @Test(arguments: [
        ("unix:///var/run/docker.sock", "unix:///var/run/docker.sock"),
        ("/run/user/1000/docker.sock", "unix:///run/user/1000/docker.sock"),
        ("tcp://10.0.0.5:2375", "tcp://10.0.0.5:2375"),
        ("tcp://docker.example", "tcp://docker.example:2375"),
        ("127.0.0.1:4243", "tcp://127.0.0.1:4243"),
        ("tcp://[::1]:2376/", "tcp://[::1]:2376"),
    ])
    func dockerHostForms(host: String, expected: String) throws {
        #expect(try DockerEndpoint.parse(host: host).description == expected)
    }

    @Test(arguments: ["unix://relative.sock", "ssh://user@host", "tcp://:2375", "tcp://host:99999", "tcp://host:abc"])
    func malformedDockerHostNamesTheValueAndTheFix(host: String) throws {
        let error = #expect(throws: DockerError.self) { try DockerEndpoint.parse(host: host) }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("DOCKER_HOST '\(host)'") == true)
    }

    @Test func noVariablesMeansTheDefaultSocket() throws {
        let home = try TestDocker.temporaryDirectory("home")
        defer { try? FileManager.default.removeItem(at: home) }
        #expect(try DockerEndpoint.fromEnvironment(["HOME": home.path]) == .unixSocket())
    }

    @Test func tlsVariablesNeedTheCertificateFiles() throws {
        let error = #expect(throws: DockerError.self) {
            try DockerEndpoint.fromEnvironment([
                "DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": "/no/such/certs",
            ])
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.message.contains("/no/such/certs") == true)
    }

    @Test func theCurrentContextOfTheDockerConfigIsUsed() throws {
        let config = try TestDocker.temporaryDirectory("dockercfg")
        defer { try? FileManager.default.removeItem(at: config) }
        // The CLI names context directories by a hash; any directory name must work.
        let meta = config.appendingPathComponent("contexts/meta/0123abcd")
        try FileManager.default.createDirectory(at: meta, withIntermediateDirectories: true)
        try #"{"Name":"remote","Metadata":{},"Endpoints":{"docker":{"Host":"tcp://192.0.2.10:2376","SkipTLSVerify":false}}}"#
            .write(to: meta.appendingPathComponent("meta.json"), atomically: true, encoding: .utf8)
        let tls = config.appendingPathComponent("contexts/tls/0123abcd/docker")
        try FileManager.default.createDirectory(at: tls, withIntermediateDirectories: true)
        for file in ["ca.pem", "cert.pem", "key.pem"] {
            try Data().write(to: tls.appendingPathComponent(file))
        }
        try #"{"currentContext":"remote"}"#.write(to: config.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)

        let endpoint = try DockerEndpoint.fromEnvironment(["DOCKER_CONFIG": config.path])
        #expect(endpoint.address == .tcp(host: "192.0.2.10", port: 2376))
        #expect(endpoint.tls?.caCertificatePath == tls.appendingPathComponent("ca.pem").path)
        #expect(endpoint.tls?.verifyServer == true)

        // DOCKER_CONTEXT wins over the config file; DOCKER_HOST wins over both.
        let unknown = #expect(throws: DockerError.self) {
            try DockerEndpoint.fromEnvironment(["DOCKER_CONFIG": config.path, "DOCKER_CONTEXT": "missing"])
        }
        #expect(unknown?.message.contains("docker context 'missing' not found") == true)
        let explicit = try DockerEndpoint.fromEnvironment(["DOCKER_CONFIG": config.path, "DOCKER_HOST": "unix:///x.sock"])
        #expect(explicit == .unixSocket("/x.sock"))
        #expect(try DockerEndpoint.fromEnvironment(["DOCKER_CONFIG": config.path, "DOCKER_CONTEXT": "default"]) == .unixSocket())
    }
}
