import Foundation
import IsolationCore
import TestSupport
import Testing

@Suite struct InstallerAndCacheTests {
    @Test(arguments: ["uv", "pip"])
    func bothInstallersInstallListAndRemove(installer: String) async throws {
        let home = try TestHome("installer-\(installer)")
        let wheels = home.url.appendingPathComponent("wheels")
        try Wheels.make("ptiso_eta", "1.2.3", in: wheels)
        var host = ProcessInfo.processInfo.environment
        host["PTEST_ISO_INSTALLER"] = installer
        let manager = try home.manager(environment: host)
        let environment = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        let output = try await manager.install(
            environment.id, PackageRequest(requirements: ["ptiso_eta==1.2.3"], findLinks: [wheels.path], offline: true))
        #expect(output.exitCode == 0)
        #expect(try await manager.packages(environment.id) == [InstalledPackage(name: "ptiso_eta", version: "1.2.3")])
        try await manager.uninstall(environment.id, ["ptiso_eta"])
        #expect(try await manager.packages(environment.id).isEmpty)
    }

    @Test func requirementAndConstraintFilesAreHonoured() async throws {
        let home = try TestHome("reqfiles")
        let wheels = home.url.appendingPathComponent("wheels")
        try Wheels.make("ptiso_theta", "1.0.0", in: wheels)
        try Wheels.make("ptiso_theta", "2.0.0", in: wheels)
        let requirements = home.url.appendingPathComponent("requirements.txt")
        let constraints = home.url.appendingPathComponent("constraints.txt")
        try "ptiso_theta\n".write(to: requirements, atomically: true, encoding: .utf8)
        try "ptiso_theta<2\n".write(to: constraints, atomically: true, encoding: .utf8)
        let manager = try home.manager()
        let environment = try await manager.create(
            EnvironmentSpec(
                requirementFiles: [requirements.path], constraintFiles: [constraints.path], findLinks: [wheels.path], offline: true))
        #expect(try await manager.packages(environment.id) == [InstalledPackage(name: "ptiso_theta", version: "1.0.0")])
    }

    @Test func leastRecentlyUsedTemplatesAreEvictedFirst() async throws {
        let home = try TestHome("lru")
        let wheels = home.url.appendingPathComponent("wheels")
        for name in ["ptiso_a", "ptiso_b", "ptiso_c"] { try Wheels.make(name, "1.0", in: wheels) }
        let manager = try home.manager()
        func spec(_ name: String) -> EnvironmentSpec {
            EnvironmentSpec(requirements: [name], findLinks: [wheels.path], offline: true)
        }
        _ = try await manager.create(spec("ptiso_a"))
        _ = try await manager.create(spec("ptiso_b"))
        _ = try await manager.create(spec("ptiso_c"))
        try await Task.sleep(for: .milliseconds(20))
        // Using a's template makes b the least recently used.
        #expect(try await manager.create(spec("ptiso_a")).details["template"] == "hit")
        let before = manager.templates()
        #expect(before.count == 3)
        #expect(before.first?.requirements == ["ptiso_b"])
        let keepTwo = before.dropFirst().reduce(0) { $0 + $1.sizeBytes }
        let evicted = try manager.collectTemplates(maxBytes: keepTwo)
        #expect(evicted == [before[0].key])
        #expect(Set(manager.templates().map(\.requirements)) == [["ptiso_a"], ["ptiso_c"]])
        // A later environment with b's spec builds its template again.
        #expect(try await manager.create(spec("ptiso_b")).details["template"] == "miss")
    }

    @Test func anInPlaceWriteThroughASharedFileIsCaughtBeforeReuse() async throws {
        let home = try TestHome("inplace")
        let wheels = home.url.appendingPathComponent("wheels")
        try Wheels.make("ptiso_iota", "1.0", in: wheels)
        let manager = try home.manager()
        let events = manager.events()
        let spec = EnvironmentSpec(requirements: ["ptiso_iota"], findLinks: [wheels.path], offline: true)
        let first = try await manager.create(spec)
        // A test edits an installed package file in place: with hard links, that inode is the template's too.
        let edit = try await manager.run(
            first.id,
            Command([
                "python", "-c",
                "import ptiso_iota, pathlib; p = pathlib.Path(ptiso_iota.__file__); open(p, 'a').write('TAINTED = True\\n')",
            ]))
        #expect(edit.exitCode == 0, "\(edit.stderrText)")
        let second = try await manager.create(spec)
        #expect(second.details["template_discarded"]?.contains("ptiso_iota/__init__.py") == true)
        #expect(second.details["template"] == "miss")
        let clean = try await manager.run(second.id, Command(["python", "-c", "import ptiso_iota; print(hasattr(ptiso_iota, 'TAINTED'))"]))
        #expect(clean.stdoutText == "False\n")
        var sawError = false
        for await event in events {
            if event.kind == .error, event.detail?.contains("template rebuilt") == true { sawError = true }
            if event.kind == .created, event.environment == second.id { break }
        }
        #expect(sawError)
    }
}
