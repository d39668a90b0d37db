import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// The container fields of a Docker spec, observed from inside the container, against the real daemon.
@Suite struct DockerContainerFieldsTests {
    static let busybox = DockerEngineTests.busybox
    static let session = "docker-fields-tests"

    func manager(_ home: borrowing TestHome) throws -> IsolationManager {
        try IsolationManager(
            configuration: .init(home: home.url, session: Self.session), engines: [VirtualenvEngine(home: home.url), DockerEngine()])
    }

    func volumes(labelled labels: [String]) async throws -> [VolumeInspect] {
        try await withDockerClient(try .fromEnvironment()) { try await $0.listVolumes(filters: ["label": labels]) }
    }

    @Test func readOnlyRootWorkdirTmpfsAndCapabilitiesHoldInside() async throws {
        let home = try TestHome("docker-fields-ro")
        let manager = try manager(home)
        let environment = try await manager.create(
            EnvironmentSpec(
                image: Self.busybox, workdir: "/srv/app", readOnlyRoot: true, tmpfs: [TmpfsMount(path: "/scratch", size: "8m")],
                capAdd: ["NET_BIND_SERVICE"], capDrop: ["ALL"]))
        let seed = home.url.appendingPathComponent("seed.txt")
        try Data("seeded\n".utf8).write(to: seed)
        try await manager.copyIn(environment.id, from: seed)
        let inside = try await manager.run(
            environment.id,
            Command([
                "sh", "-c",
                """
                pwd; cat seed.txt
                touch /etc/nope 2>/dev/null && echo root-writable || echo root-read-only
                touch made-here && echo work-writable
                grep -E '^(CapEff|NoNewPrivs)' /proc/self/status
                df -k /scratch | tail -1 | awk '{print $2}'
                """,
            ]))
        #expect(
            inside.stdoutText == "/srv/app\nseeded\nroot-read-only\nwork-writable\nCapEff:\t0000000000000400\nNoNewPrivs:\t1\n8192\n",
            "\(inside.stderrText)")
        // The working directory of a read-only root is a volume the environment owns, labelled and removed with it.
        let owned = try await volumes(labelled: ["ptest-iso.environment=\(environment.id)", "ptest-iso.session=\(Self.session)"])
        #expect(owned.map(\.name) == ["ptest-iso-\(environment.id)-_work"])
        try await manager.destroy(environment.id)
        #expect(try await volumes(labelled: ["ptest-iso.environment=\(environment.id)"]).isEmpty)
    }

    @Test func entrypointCommandAndUserRunTheContainer() async throws {
        let home = try TestHome("docker-fields-cmd")
        let manager = try manager(home)
        let environment = try await manager.create(
            EnvironmentSpec(
                image: Self.busybox, command: ["id -u > /tmp/started-as; exec sleep 2147483647"], entrypoint: ["sh", "-c"],
                user: "1234:1234", tmpfs: [TmpfsMount(path: "/tmp")], waitFor: [.command(["test", "-s", "/tmp/started-as"])]))
        let inside = try await manager.run(
            environment.id, Command(["sh", "-c", "cat /tmp/started-as; id -g; grep NoNewPrivs /proc/1/status"]))
        #expect(inside.stdoutText == "1234\n1234\nNoNewPrivs:\t1\n", "\(inside.stderrText)")
        try await manager.destroy(environment.id)
    }

    // `privileged: true` itself is not tested: these machines' daemons cannot grant every capability.
    @Test func aContainerIsNotPrivilegedUnlessAsked() async throws {
        let home = try TestHome("docker-fields-priv")
        let manager = try manager(home)
        let plain = try await manager.create(EnvironmentSpec(image: Self.busybox))
        let probe = try await manager.run(
            plain.id, Command(["sh", "-c", "mkdir -p /probe && mount -t tmpfs none /probe 2>/dev/null && echo mounted || echo refused"]))
        #expect(probe.stdoutText == "refused\n")
        try await manager.destroy(plain.id)
    }

    @Test func namedVolumesAndReadOnlyBindMountsAreMountedAndVolumesGoWithTheEnvironment() async throws {
        let home = try TestHome("docker-fields-vol")
        let manager = try manager(home)
        let fixtures = home.url.appendingPathComponent("fixtures")
        try FileManager.default.createDirectory(at: fixtures, withIntermediateDirectories: true)
        try Data("from the host\n".utf8).write(to: fixtures.appendingPathComponent("hello.txt"))
        let environment = try await manager.create(
            EnvironmentSpec(
                image: Self.busybox,
                volumes: [
                    VolumeMount(source: "data", target: "/data"), VolumeMount(source: fixtures.path, target: "/fixtures", readOnly: true),
                ]))
        let inside = try await manager.run(
            environment.id,
            Command([
                "sh", "-c",
                "cat /fixtures/hello.txt; touch /fixtures/x 2>/dev/null && echo bind-writable || echo bind-read-only; echo kept > /data/f && cat /data/f",
            ]))
        #expect(inside.stdoutText == "from the host\nbind-read-only\nkept\n", "\(inside.stderrText)")
        let owned = try await volumes(labelled: ["ptest-iso.environment=\(environment.id)", "ptest-iso.managed=true"])
        #expect(owned.map(\.name) == ["ptest-iso-\(environment.id)-data"])
        #expect(owned.first?.labels?["ptest-iso.session"] == Self.session)
        #expect(owned.first?.labels?["ptest-iso.expires-at"] != nil)
        try await manager.destroy(environment.id)
        #expect(try await volumes(labelled: ["ptest-iso.environment=\(environment.id)"]).isEmpty)
    }

    @Test(arguments: [
        (
            EnvironmentSpec(image: busybox, volumes: [VolumeMount(source: "./data", target: "/data")]),
            "volumes[0].source: './data' is a relative"
        ),
        (
            EnvironmentSpec(
                image: busybox, volumes: [VolumeMount(source: "v", target: "/v"), VolumeMount(source: "/tmp/../etc", target: "/e")]),
            "volumes[1].source: '/tmp/../etc' contains '..'"
        ),
        (
            EnvironmentSpec(image: busybox, volumes: [VolumeMount(source: "/nonexistent/ptest-iso", target: "/x")]),
            "volumes[0].source: '/nonexistent/ptest-iso' does not exist"
        ),
        (
            EnvironmentSpec(image: busybox, volumes: [VolumeMount(source: "v", target: "data")]),
            "volumes[0].target: 'data' must be an absolute"
        ),
        (EnvironmentSpec(image: busybox, workdir: "app"), "workdir: 'app' must be an absolute"),
        (EnvironmentSpec(image: busybox, tmpfs: [TmpfsMount(path: "/t", size: "huge")]), "tmpfs[0].size: 'huge' is not a size"),
        (EnvironmentSpec(image: busybox, capAdd: ["NET ADMIN"]), "cap_add[0]: 'NET ADMIN' is not a capability"),
        (EnvironmentSpec(image: busybox, command: []), "command: empty"),
        (EnvironmentSpec(image: busybox, secrets: [Secret(name: "A", value: nil)]), "secrets[0].value: missing"),
        (
            EnvironmentSpec(image: busybox, secrets: [Secret(name: "a/b", value: "x", as: .file)]),
            "secrets[0].name: 'a/b' cannot name a file"
        ),
        (
            EnvironmentSpec(image: busybox, waitFor: [.http(.init(port: 8080))]),
            "wait_for[0].http.port: 8080 is not in ports; publish it"
        ),
        (EnvironmentSpec(image: busybox, waitFor: [.log(pattern: "(", times: 1)]), "wait_for[0].log: '(' is not a regular expression"),
        (EnvironmentSpec(image: busybox, readyTimeoutSeconds: 0), "ready_timeout_seconds: 0.0 must be a positive"),
    ])
    func badContainerFieldsNameTheFieldAndTheFix(spec: EnvironmentSpec, message: String) async throws {
        let home = try TestHome("docker-fields-bad")
        let manager = try manager(home)
        let error = await #expect(throws: IsolationError.self) { try await manager.create(spec) }
        #expect(error?.code == .invalidSpec)
        #expect(error?.message.hasPrefix(message) == true, "\(error?.message ?? "")")
    }

    @Test func containerFieldsPickTheDockerEngine() throws {
        let home = try TestHome("docker-fields-choice")
        let manager = try manager(home)
        #expect(try manager.chooseEngine(for: EnvironmentSpec(secrets: [Secret(name: "A", value: "1")])).engine == .docker)
        let venv = #expect(throws: IsolationError.self) {
            try manager.chooseEngine(for: EnvironmentSpec(engine: .virtualenv, readOnlyRoot: true))
        }
        #expect(venv?.message.hasPrefix("read_only_root: the virtualenv engine does not provide") == true)
    }

    @Test func theJSONShapeDecodes() throws {
        let json = """
            {"image": "x", "command": ["a"], "entrypoint": ["b"], "workdir": "/w", "user": "1:1", "read_only_root": true,
             "tmpfs": ["/tmp", {"path": "/c", "size": "8m"}], "cap_add": ["NET_ADMIN"], "cap_drop": ["ALL"], "privileged": false,
             "volumes": [{"source": "data", "target": "/data"}, {"source": "/srv", "target": "/srv", "read_only": true}],
             "secrets": [{"name": "T", "value": "tok-123"}, {"name": "f", "value": "file-456", "as": "file"}],
             "wait_for": [{"log": "ready", "times": 2}, {"tcp": 5432}, {"http": {"port": 80}}, {"health": true}, {"command": ["true"]}],
             "ready_timeout_seconds": 5, "healthcheck": {"test": ["true"], "interval_seconds": 0.5}}
            """
        let spec = try EnvironmentSpec.decode(json: Data(json.utf8))
        #expect(spec.tmpfs == [TmpfsMount(path: "/tmp"), TmpfsMount(path: "/c", size: "8m")])
        #expect(spec.volumes.map(\.kind) == [.volume, .bind])
        #expect(spec.secrets == [Secret(name: "T", value: "tok-123"), Secret(name: "f", value: "file-456", as: .file)])
        #expect(
            spec.waitFor == [
                .log(pattern: "ready", times: 2), .tcp(port: 5432), .http(.init(port: 80, path: "/", status: 200)), .health,
                .command(["true"]),
            ])
        #expect(spec.healthcheck == HealthcheckSpec(test: ["true"], intervalSeconds: 0.5))
        // Encoding (what the state store writes, in Swift's own key names) keeps every field but the secrets' values.
        let encoded = String(decoding: try JSONEncoder().encode(spec), as: UTF8.self)
        #expect(!encoded.contains("tok-123") && !encoded.contains("file-456"), "\(encoded)")
        let back = try JSONDecoder().decode(EnvironmentSpec.self, from: Data(encoded.utf8))
        #expect(back.secrets == [Secret(name: "T", value: nil), Secret(name: "f", value: nil, as: .file)])
        #expect(back.waitFor == spec.waitFor && back.volumes == spec.volumes && back.tmpfs == spec.tmpfs)
        #expect("\(spec.secrets)".contains("redacted") && !"\(spec.secrets)".contains("tok-123"))
    }
}
