import Foundation
import IsolationCore
import TestSupport
import Testing

@Suite struct VirtualenvEngineTests {
    @Test func aNewVenvIsARealVenvWithACleanEnvironment() async throws {
        let home = try TestHome("venv")
        var host = ProcessInfo.processInfo.environment
        host["PYTHONPATH"] = "/leaked/from/caller"
        let manager = try home.manager(environment: host)
        let environment = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        #expect(environment.status == .ready)
        #expect(environment.details["template"] == "none")
        let result = try await manager.run(
            environment.id,
            Command([
                "python", "-c",
                "import os, sys; assert sys.prefix != sys.base_prefix; print(sys.prefix); print(os.environ['VIRTUAL_ENV']); print('/leaked/from/caller' in sys.path)",
            ])
        )
        let lines = result.stdoutText.split(separator: "\n").map(String.init)
        #expect(result.exitCode == 0, "\(result.stderrText)")
        #expect(lines.count == 3)
        #expect(lines.first?.hasSuffix("/envs/\(environment.id)/venv") == true)
        #expect(lines[1] == lines[0])
        #expect(lines.last == "False")
        // The layout matches what `python -m venv` writes.
        let venv = URL(fileURLWithPath: environment.location).appendingPathComponent("venv")
        let config = try String(contentsOf: venv.appendingPathComponent("pyvenv.cfg"), encoding: .utf8)
        #expect(config.contains("include-system-site-packages = false"))
        #expect(FileManager.default.fileExists(atPath: venv.appendingPathComponent("bin/activate").path))
        let activated = try await manager.run(environment.id, Command(["sh", "-c", ". \(venv.path)/bin/activate && command -v python"]))
        #expect(activated.stdoutText == "\(venv.path)/bin/python\n")
        try await manager.destroy(environment.id)
        #expect(!FileManager.default.fileExists(atPath: environment.location))
    }

    @Test func commandsKeepStreamsApartAndHonourEnvAndCwd() async throws {
        let home = try TestHome("cmd")
        let manager = try home.manager()
        let environment = try await manager.create(EnvironmentSpec(environment: ["FROM_SPEC": "spec"], useTemplateCache: false))
        _ = try await manager.run(environment.id, Command(["mkdir", "sub"]))
        let result = try await manager.run(
            environment.id,
            Command(
                ["sh", "-c", "echo out; echo err >&2; echo $FROM_SPEC $FROM_CMD; pwd; cat; exit 7"], environment: ["FROM_CMD": "cmd"],
                workingDirectory: "sub", stdin: Data("typed\n".utf8))
        )
        #expect(result.exitCode == 7)
        #expect(result.stderrText == "err\n")
        #expect(result.stdoutText == "out\nspec cmd\n\(environment.location)/work/sub\ntyped\n")
        let nowhere = await #expect(throws: IsolationError.self) {
            try await manager.run(environment.id, Command(["true"], workingDirectory: "missing"))
        }
        #expect(nowhere?.code == .invalidSpec)
        #expect(nowhere?.message.hasPrefix("working_directory:") == true)
        let missing = try await manager.run(environment.id, Command(["no-such-program-xyz"]))
        #expect(missing.exitCode == 127)
        #expect(missing.stderrText.contains("command not found"))
    }

    @Test func aTimeoutKillsTheCommandAndItsGrandchildren() async throws {
        let home = try TestHome("timeout")
        let manager = try home.manager()
        let environment = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        let pidFile = URL(fileURLWithPath: environment.location).appendingPathComponent("work/child.pid")
        let result = try await manager.run(
            environment.id, Command(["sh", "-c", "sleep 300 & echo $! > child.pid; echo started; sleep 301"], timeoutSeconds: 1))
        #expect(result.timedOut)
        #expect(result.exitCode == 137)
        #expect(result.stdoutText == "started\n")
        let pid = try #require(Int32(String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // The grandchild was killed: it disappears, or stays a zombie until its new parent reaps it.
        var state: Substring?
        for _ in 0..<100 {
            state = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.split(separator: " ")[2]
            if state == nil || state == "Z" { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(state == nil || state == "Z", "grandchild \(pid) is still \(String(describing: state))")
    }

    @Test func packagesAreIsolatedBetweenEnvironmentsAndFromTheHost() async throws {
        let home = try TestHome("pkgs")
        let wheels = home.url.appendingPathComponent("wheels")
        try Wheels.make("ptiso_alpha", "1.0.0", in: wheels)
        try Wheels.make("ptiso_beta", "2.1.0", in: wheels)
        let manager = try home.manager()
        let first = try await manager.create(
            EnvironmentSpec(requirements: ["ptiso_alpha==1.0.0"], findLinks: [wheels.path], offline: true, useTemplateCache: false))
        let second = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        #expect(try await manager.packages(first.id).contains(InstalledPackage(name: "ptiso_alpha", version: "1.0.0")))
        let imported = try await manager.run(first.id, Command(["python", "-c", "import ptiso_alpha; print(ptiso_alpha.VERSION)"]))
        #expect(imported.stdoutText == "1.0.0\n")
        let absent = try await manager.run(second.id, Command(["python", "-c", "import ptiso_alpha"]))
        #expect(absent.exitCode != 0)
        #expect(absent.stderrText.contains("ModuleNotFoundError"))
        let host = Process()
        host.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        host.arguments = ["python3", "-c", "import ptiso_alpha"]
        host.standardError = FileHandle.nullDevice
        try host.run()
        host.waitUntilExit()
        #expect(host.terminationStatus != 0)

        try await manager.install(second.id, PackageRequest(requirements: ["ptiso_beta"], findLinks: [wheels.path], offline: true))
        #expect(try await manager.packages(second.id).map(\.name).contains("ptiso_beta"))
        try await manager.uninstall(second.id, ["ptiso_beta"])
        #expect(try await manager.packages(second.id).map(\.name).contains("ptiso_beta") == false)

        let failed = await #expect(throws: IsolationError.self) {
            try await manager.install(second.id, PackageRequest(requirements: ["ptiso_missing"], findLinks: [wheels.path], offline: true))
        }
        #expect(failed?.code == .installFailed)
        #expect(failed?.message.contains("ptiso_missing") == true)
    }

    @Test func pipIsThereWhenAskedFor() async throws {
        let home = try TestHome("pip")
        let manager = try home.manager()
        let environment = try await manager.create(EnvironmentSpec(withPip: true))
        let pip = try await manager.run(environment.id, Command(["pip", "--version"]))
        #expect(pip.exitCode == 0, "\(pip.stderrText)")
        #expect(pip.stdoutText.contains(environment.location))
    }

    @Test func theTemplateCacheClonesAWorkingVenv() async throws {
        let home = try TestHome("tmpl")
        let wheels = home.url.appendingPathComponent("wheels")
        try Wheels.make("ptiso_gamma", "3.0.0", in: wheels)
        let manager = try home.manager()
        let spec = EnvironmentSpec(requirements: ["ptiso_gamma"], findLinks: [wheels.path], offline: true, withPip: true)
        let first = try await manager.create(spec)
        let second = try await manager.create(spec)
        #expect(first.details["template"] == "miss")
        #expect(second.details["template"] == "hit")
        for environment in [first, second] {
            let check = try await manager.run(
                environment.id, Command(["sh", "-c", "python -c 'import ptiso_gamma, sys; print(sys.prefix)' && pip --version"]))
            #expect(check.exitCode == 0, "\(check.stderrText)")
            #expect(check.stdoutText.hasPrefix("\(environment.location)/venv\n"))
            // The pip launcher's shebang names this venv, not the template.
            let shebang = try String(contentsOfFile: "\(environment.location)/venv/bin/pip", encoding: .utf8).split(separator: "\n").first
            #expect(shebang == "#!\(environment.location)/venv/bin/python")
        }
        // Installing into one clone does not reach the other.
        try Wheels.make("ptiso_delta", "1.0.0", in: wheels)
        try await manager.install(first.id, PackageRequest(requirements: ["ptiso_delta"], findLinks: [wheels.path], offline: true))
        #expect(try await manager.packages(second.id).map(\.name).contains("ptiso_delta") == false)
    }

    @Test func snapshotMutateRestoreGivesBackTheOriginal() async throws {
        let home = try TestHome("snap")
        let wheels = home.url.appendingPathComponent("wheels")
        try Wheels.make("ptiso_eps", "1.0.0", in: wheels)
        try Wheels.make("ptiso_zeta", "1.0.0", in: wheels)
        let manager = try home.manager()
        let source = try await manager.create(
            EnvironmentSpec(requirements: ["ptiso_eps"], findLinks: [wheels.path], offline: true, useTemplateCache: false))
        _ = try await manager.run(source.id, Command(["sh", "-c", "mkdir -p data && echo original > data/state.txt"]))
        let original = try await manager.packages(source.id)
        let snapshot = try await manager.snapshot(source.id, name: "before")

        // Mutate: packages and files change.
        try await manager.uninstall(source.id, ["ptiso_eps"])
        try await manager.install(source.id, PackageRequest(requirements: ["ptiso_zeta"], findLinks: [wheels.path], offline: true))
        _ = try await manager.run(source.id, Command(["sh", "-c", "echo changed > data/state.txt"]))

        let restored = try await manager.restore("before")
        #expect(restored.id != source.id)
        #expect(try await manager.packages(restored.id) == original)
        let state = try await manager.run(restored.id, Command(["cat", "data/state.txt"]))
        #expect(state.stdoutText == "original\n")
        let prefix = try await manager.run(restored.id, Command(["python", "-c", "import sys, ptiso_eps; print(sys.prefix)"]))
        #expect(prefix.stdoutText == "\(restored.location)/venv\n")

        // Export, delete, import under a new name, restore again.
        let archive = home.url.appendingPathComponent("before.tar")
        try await manager.exportSnapshot("before", to: archive)
        try await manager.deleteSnapshot(snapshot.id)
        #expect(try await manager.snapshots().isEmpty)
        let imported = try await manager.importSnapshot(from: archive, name: "imported")
        #expect(imported.name == "imported")
        let again = try await manager.restore("imported")
        #expect(try await manager.packages(again.id) == original)
        #expect(try await manager.run(again.id, Command(["cat", "data/state.txt"])).stdoutText == "original\n")
        let duplicate = await #expect(throws: IsolationError.self) { try await manager.snapshot(again.id, name: "imported") }
        #expect(duplicate?.code == .invalidSpec)
    }

    @Test func filesCopyInAndOutOfTheWorkingDirectory() async throws {
        let home = try TestHome("files")
        let manager = try home.manager()
        let environment = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        let tree = home.url.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: tree.appendingPathComponent("pkg"), withIntermediateDirectories: true)
        try Data("print('hi')\n".utf8).write(to: tree.appendingPathComponent("pkg/main.py"))
        try FileManager.default.setAttributes([.posixPermissions: 0o750], ofItemAtPath: tree.appendingPathComponent("pkg/main.py").path)
        try await manager.copyIn(environment.id, from: tree)
        let run = try await manager.run(environment.id, Command(["python", "project/pkg/main.py"]))
        #expect(run.stdoutText == "hi\n")
        // An existing directory: the copy goes inside it under its own name.
        let out = home.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try await manager.copyOut(environment.id, from: "project/pkg", to: out)
        let mode =
            try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("pkg/main.py").path)[.posixPermissions] as? Int
        #expect(mode == 0o750)
        let escape = await #expect(throws: IsolationError.self) { try await manager.copyOut(environment.id, from: "../../..", to: out) }
        #expect(escape?.code == .invalidSpec)
    }
}
