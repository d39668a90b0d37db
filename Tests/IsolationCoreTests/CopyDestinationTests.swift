import Foundation
import IsolationCore
import TestSupport
import Testing

/// `copyIn` and `copyOut` follow one rule on both engines, the one `docker cp` users know.
@Suite struct CopyDestinationTests {
    enum Engine: String, CaseIterable { case virtualenv, docker }

    func environment(_ engine: Engine, home: borrowing TestHome) async throws -> (IsolationManager, Environment) {
        let manager = try await IsolationManager.open(
            configuration: .init(home: home.url, session: "copy-\(engine)-\(UUID().uuidString.prefix(8))"),
            engines: [VirtualenvEngine(home: home.url), DockerEngine()])
        let spec =
            engine == .docker ? EnvironmentSpec(image: DockerEngineTests.busybox) : EnvironmentSpec(useTemplateCache: false)
        return (manager, try await manager.create(spec))
    }

    /// The files under the working directory, sorted, as `find` prints them.
    func files(_ manager: IsolationManager, _ id: String) async throws -> [String] {
        let listing = try await manager.run(id, Command(["sh", "-c", "find . -type f | sort"]))
        return listing.stdoutText.split(separator: "\n").map(String.init)
    }

    func hostFiles(under directory: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path, isDirectory: &isDirectory),
                !isDirectory.boolValue
            {
                found.append(path)
            }
        }
        return found.sorted()
    }

    @Test(arguments: Engine.allCases) func copyingInFollowsTheDockerCpRule(_ engine: Engine) async throws {
        let home = try TestHome("copy-in-\(engine)")
        let (manager, environment) = try await environment(engine, home: home)
        let tests = home.url.appendingPathComponent("tests")
        try FileManager.default.createDirectory(at: tests, withIntermediateDirectories: true)
        try Data("a\n".utf8).write(to: tests.appendingPathComponent("a.txt"))
        let note = home.url.appendingPathComponent("note.txt")
        try Data("note\n".utf8).write(to: note)

        // A directory onto a path that does not exist is created under that name (not tests/tests).
        try await manager.copyIn(environment.id, from: tests, to: "tests")
        #expect(try await files(manager, environment.id) == ["./tests/a.txt"])
        // Onto an existing directory it goes inside; with `/.` its contents are merged into it.
        try await manager.copyIn(environment.id, from: tests, to: "tests")
        try await manager.copyIn(environment.id, from: URL(fileURLWithPath: tests.path + "/."), to: "merged/deep")
        try await manager.copyIn(environment.id, from: URL(fileURLWithPath: tests.path + "/."), to: "merged/deep")
        // A file: inside an existing directory, inside a path written with `/`, else under the name given.
        try await manager.copyIn(environment.id, from: note, to: "tests")
        try await manager.copyIn(environment.id, from: note, to: "notes/")
        try await manager.copyIn(environment.id, from: note, to: "renamed.txt")
        try await manager.copyIn(environment.id, from: note)
        #expect(
            try await files(manager, environment.id) == [
                "./merged/deep/a.txt", "./note.txt", "./notes/note.txt", "./renamed.txt", "./tests/a.txt", "./tests/note.txt",
                "./tests/tests/a.txt",
            ])
        // A directory onto a file is an error naming both.
        let onto = await #expect(throws: IsolationError.self) { try await manager.copyIn(environment.id, from: tests, to: "renamed.txt") }
        #expect(onto?.code == .ioFailure)
        #expect(onto?.message.contains("renamed.txt") == true && onto?.message.contains(tests.path) == true)
        try await manager.destroySession()
    }

    @Test(arguments: Engine.allCases) func copyingOutFollowsTheDockerCpRule(_ engine: Engine) async throws {
        let home = try TestHome("copy-out-\(engine)")
        let (manager, environment) = try await environment(engine, home: home)
        _ = try await manager.run(
            environment.id, Command(["sh", "-c", "mkdir -p tests/sub && echo a > tests/sub/a.txt && echo r > report.txt"]))
        let out = home.url.appendingPathComponent("out")

        // A directory onto a missing path becomes that path; onto an existing directory it goes inside.
        try await manager.copyOut(environment.id, from: "tests", to: out.appendingPathComponent("fresh"))
        try await manager.copyOut(environment.id, from: "tests", to: out.appendingPathComponent("fresh"))
        // `.` (or `dir/.`) is the contents.
        try await manager.copyOut(environment.id, from: ".", to: out.appendingPathComponent("all"))
        // A file onto a missing path is saved under that name; onto an existing file it replaces it.
        try Data("old\n".utf8).write(to: home.url.appendingPathComponent("existing.txt"))
        try await manager.copyOut(environment.id, from: "report.txt", to: out.appendingPathComponent("saved.txt"))
        try await manager.copyOut(environment.id, from: "report.txt", to: home.url.appendingPathComponent("existing.txt"))
        #expect(
            hostFiles(under: out) == [
                "all/report.txt", "all/tests/sub/a.txt", "fresh/sub/a.txt", "fresh/tests/sub/a.txt", "saved.txt",
            ])
        #expect(try String(contentsOf: home.url.appendingPathComponent("existing.txt"), encoding: .utf8) == "r\n")
        // A directory onto an existing file is an error naming it, the same code on both engines.
        let blocker = home.url.appendingPathComponent("existing.txt")
        let onto = await #expect(throws: IsolationError.self) { try await manager.copyOut(environment.id, from: "tests", to: blocker) }
        #expect(onto?.code == .ioFailure)
        #expect(onto?.message.contains(blocker.path) == true)
        // A destination under a file cannot be made: the same code again, naming the path.
        let under = await #expect(throws: IsolationError.self) {
            try await manager.copyOut(environment.id, from: "report.txt", to: blocker.appendingPathComponent("x.txt"))
        }
        #expect(under?.code == .ioFailure)
        #expect(under?.message.contains(blocker.path) == true, "\(under?.message ?? "")")
        let missing = await #expect(throws: IsolationError.self) { try await manager.copyOut(environment.id, from: "nope", to: out) }
        #expect(missing?.code == .notFound)
        try await manager.destroySession()
    }
}
