import DockerAPI
import Foundation
import IsolationCore
import TestSupport
import Testing

/// A virtualenv environment migrated to a Docker one of the Debian python image (Python 3.11).
@Suite struct MigrationTests {
    static let python = "ptest-iso-test/python:bookworm"
    static let busybox = "ptest-iso-test/busybox:latest"

    @Test func aVenvMovesToDockerWithItsPinnedPackagesFilesAndVariables() async throws {
        let home = try TestHome("migrate")
        let manager = try await IsolationManager.open(
            configuration: .init(home: home.url, session: "migration-tests-\(UUID().uuidString.prefix(6))"),
            engines: [VirtualenvEngine(home: home.url), DockerEngine()])
        let wheels = home.url.appendingPathComponent("wheels")
        try Wheels.make("ptestmigrate", "1.2.0", in: wheels)
        try Wheels.make("ptestmigrate", "2.0.0", in: wheels)
        // /usr/bin/python3 is Debian's 3.11, like the image's.
        let source = try await manager.create(
            EnvironmentSpec(
                engine: .virtualenv, python: "/usr/bin/python3", requirements: ["ptestmigrate==1.2.0"], findLinks: [wheels.path],
                offline: true, environment: ["MIGRATED": "yes"]))
        let files = home.url.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: files.appendingPathComponent("pkg"), withIntermediateDirectories: true)
        try Data("print('hello from work')\n".utf8).write(to: files.appendingPathComponent("main.py"))
        try Data("x = 1\n".utf8).write(to: files.appendingPathComponent("pkg/mod.py"))
        try await manager.copyIn(source.id, from: files.appendingPathComponent("main.py"))
        try await manager.copyIn(source.id, from: files.appendingPathComponent("pkg"))

        let target = try await manager.migrate(source.id, toImage: Self.python)
        #expect(target.engine == .docker)
        #expect(target.spec.requirements == ["ptestmigrate==1.2.0"])
        let check = try await manager.run(
            target.id,
            Command([
                "sh", "-c",
                "python3 -c 'import ptestmigrate; print(ptestmigrate.VERSION)' && python3 main.py && cat pkg/mod.py && echo $MIGRATED",
            ]))
        #expect(check.stdoutText == "1.2.0\nhello from work\nx = 1\nyes\n", "\(check.stderrText)")
        #expect(try await manager.get(source.id).status == .ready)

        let noPython = await #expect(throws: IsolationError.self) { try await manager.migrate(source.id, toImage: Self.busybox) }
        #expect(noPython?.code == .invalidSpec)
        #expect(noPython?.message.contains("has no python3") == true, "\(String(describing: noPython))")
        // The failed migration's environment is gone.
        #expect(try await manager.list().filter { $0.engine == .docker && $0.status.isLive }.map(\.id) == [target.id])

        let notVenv = await #expect(throws: IsolationError.self) { try await manager.migrate(target.id, toImage: Self.python) }
        #expect(notVenv?.message.contains("only virtualenv environments migrate") == true)
        try await manager.destroySession()
    }

    @Test func anImageWithAnotherMinorPythonIsRefusedSayingWhichVersions() async throws {
        let home = try TestHome("migrate-minor")
        let manager = try await IsolationManager.open(
            configuration: .init(home: home.url, session: "migration-tests-\(UUID().uuidString.prefix(6))"),
            engines: [VirtualenvEngine(home: home.url), DockerEngine()])
        // An image whose python3 (first on PATH) says it is 3.12.
        let context = home.url.appendingPathComponent("context")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try """
        FROM \(Self.python)
        RUN printf '#!/bin/sh\\necho 3.12.0\\n' > /usr/local/bin/python3 && chmod 755 /usr/local/bin/python3
        """.write(to: context.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
        let tag = "ptest-iso-test/python312:\(UUID().uuidString.prefix(8).lowercased())"
        try await withDockerClient(try .fromEnvironment()) {
            try await $0.buildImage(ImageBuildOptions(contextDirectory: context, tags: [tag], labels: ["ptest-iso.test": "1"]))
        }
        let source = try await manager.create(EnvironmentSpec(engine: .virtualenv, python: "/usr/bin/python3"))
        let refused = await #expect(throws: IsolationError.self) { try await manager.migrate(source.id, toImage: tag) }
        let venvPython = try #require(source.details["python"])
        #expect(refused?.code == .invalidSpec)
        #expect(
            refused?.message.contains("has Python 3.12.0 but the venv has \(venvPython)") == true, "\(String(describing: refused))")
        #expect(refused?.message.contains("Use an image with Python 3.11") == true)
        try await manager.destroySession()
        _ = try await withDockerClient(try .fromEnvironment()) { try await $0.removeImage(tag, force: true) }
    }
}
