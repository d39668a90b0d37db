import Foundation
import IsolationCore
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The CLI end to end: every step is a separate `ptest-iso` process sharing one state directory.
@Suite(.serialized) struct PtestIsoTests {
    @Test func aVirtualenvLivesThroughSeparateInvocations() async throws {
        let home = try TestHome("cli")
        let state = ["--home", home.url.path]

        // Given an environment created by one process
        let created = try CLI.run(["create", "--name", "cli-test", "--ttl", "600"] + state)
        #expect(created.status == 0, "\(created.output)")
        let id = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(id.hasPrefix("env-") && !id.contains("\n"), "\(created.stdout)")
        #expect(created.stderr.contains("creating"), "progress goes to stderr: \(created.stderr)")

        // Then others see it, with a policy that outlives the creating process
        let listed = try CLI.run(["ls"] + state)
        // The table shows ids as docker does, 12 characters: a prefix every command takes.
        #expect(listed.stdout.contains(id.prefix(12)) && listed.stdout.contains("ptest-iso-cli"), "\(listed.output)")
        let inspected = try CLI.run(["inspect", id, "--json"] + state)
        #expect(inspected.status == 0, "\(inspected.output)")
        let record = try JSONDecoder.seconds.decode(Environment.self, from: Data(inspected.stdout.utf8))
        #expect(record.id == id && record.status == .ready && record.spec.name == "cli-test")
        #expect(record.spec.cleanup == .afterTTL && record.session == "ptest-iso-cli")
        #expect(try CLI.run(["inspect", id] + state).stdout.contains("cleanup"))

        // When commands run, their output and exit code pass through
        let script = "import os, sys; print(os.environ['GREETING']); sys.stderr.write('err\\n'); sys.exit(3)"
        let ran = try CLI.run(["run", id, "--env", "GREETING=hi"] + state + ["--", "python", "-c", script])
        #expect(ran.status == 3, "\(ran.output)")
        #expect(ran.stdout == "hi\n" && ran.stderr == "err\n")
        let exec = try CLI.run(["exec", id, "--json"] + state + ["--", "python", "-c", "print('x')"])
        #expect(exec.status == 0, "\(exec.output)")
        #expect(exec.stdout.contains("\"stdout\" : \"x\\n\""), "\(exec.stdout)")

        // A command killed by its timeout is exit code 6, after its output
        let slow = try CLI.run(
            ["run", id, "--timeout", "1"] + state + ["--", "python", "-c", "import time; print('begun', flush=True); time.sleep(600)"])
        #expect(slow.status == 6 && slow.stdout == "begun\n" && slow.stderr.hasPrefix("Error: "), "\(slow.output)")

        // A stopped environment refuses commands until started
        #expect(try CLI.run(["stop", id] + state).stdout == "\(id) stopped\n")
        let refused = try CLI.run(["run", id] + state + ["--", "python", "-V"])
        #expect(refused.status == 7 && refused.stderr.hasPrefix("Error: ") && refused.stderr.contains("stopped"), "\(refused.output)")
        #expect(try CLI.run(["start", id] + state).stdout == "\(id) running\n")
        #expect(try CLI.run(["run", id] + state + ["--", "python", "-c", "open('marker', 'w').write('1')"]).status == 0)

        // Snapshots: take, list, restore into a new environment, delete
        let snapshot = try CLI.run(["snapshot", "create", id, "--name", "cli-snap"] + state)
        #expect(snapshot.status == 0, "\(snapshot.output)")
        let snapshotID = snapshot.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(snapshotID.hasPrefix("snap-"))
        let snapshots = try CLI.run(["snapshot", "ls"] + state)
        #expect(snapshots.stdout.contains(snapshotID) && snapshots.stdout.contains("cli-snap"), "\(snapshots.output)")
        let restored = try CLI.run(["snapshot", "restore", "cli-snap"] + state)
        #expect(restored.status == 0, "\(restored.output)")
        let restoredID = restored.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(restoredID.hasPrefix("env-") && restoredID != id)
        let restoredRecord = try CLI.run(["inspect", restoredID, "--json"] + state)
        let restoredEnvironment = try JSONDecoder.seconds.decode(Environment.self, from: Data(restoredRecord.stdout.utf8))
        #expect(restoredEnvironment.spec.cleanup == .afterTTL && restoredEnvironment.session == "ptest-iso-cli")
        // A command's manager ends with it: it restores no copy ahead, which its exit would only remove.
        let records = try await StateStore.open(at: home.url.appendingPathComponent("state.sqlite"))
            .environments(matching: EnvironmentFilter(liveOnly: false))
        #expect(records.count == 2 && records.allSatisfy { $0.labels[ResourceLabels.pool] == nil }, "\(records.map(\.labels))")
        let marker = try CLI.run(["run", restoredID] + state + ["--", "python", "-c", "print(open('marker').read())"])
        #expect(marker.stdout == "1\n", "\(marker.output)")
        #expect(try CLI.run(["snapshot", "rm", "cli-snap"] + state).status == 0)
        #expect(try CLI.run(["snapshot", "ls"] + state).stdout == "no snapshots\n")

        // rm refuses a running environment without --force, then removes both
        let busy = try CLI.run(["rm", id] + state)
        #expect(busy.status == 7 && busy.stderr.contains("force"), "\(busy.output)")
        let removed = try CLI.run(["rm", "--force", id, restoredID] + state)
        #expect(removed.status == 0, "\(removed.output)")
        #expect(removed.stdout == "\(id)\n\(restoredID)\n")
        #expect(!FileManager.default.fileExists(atPath: record.location))
        #expect(try CLI.run(["ls"] + state).stdout == "no environments\n")
        #expect(try CLI.run(["rm", "--force", id] + state).status == 0, "already destroyed is fine with --force")
    }

    @Test func aSpecComesFromJSONOnStdin() throws {
        let home = try TestHome("cli-spec")
        let spec = Data(#"{"name": "from-json", "environment": {"FROM_SPEC": "yes"}}"#.utf8)
        let created = try CLI.run(["create", "--spec", "-", "--keep", "--json", "--home", home.url.path], stdin: spec)
        #expect(created.status == 0, "\(created.output)")
        let environment = try JSONDecoder.seconds.decode(Environment.self, from: Data(created.stdout.utf8))
        #expect(environment.spec.name == "from-json" && environment.spec.cleanup == .keep)
        let ran = try CLI.run(
            ["run", environment.id, "--home", home.url.path, "--", "python", "-c", "import os; print(os.environ['FROM_SPEC'])"])
        #expect(ran.stdout == "yes\n", "\(ran.output)")
        #expect(try CLI.run(["rm", environment.id, "--home", home.url.path]).status == 0)
    }

    @Test func packagesComeFromFlagsAndInstall() throws {
        let home = try TestHome("cli-packages")
        let state = ["--home", home.url.path]
        let wheels = home.url.appendingPathComponent("wheels")
        try Wheels.make("ptiso_cli_one", "1.0.0", in: wheels)
        try Wheels.make("ptiso_cli_two", "2.0.0", in: wheels)

        // Given an environment made from flags alone
        let created = try CLI.run(
            ["create", "-r", "ptiso_cli_one==1.0.0", "--find-links", wheels.path, "--offline", "--env", "MODE=cli"] + state)
        #expect(created.status == 0, "\(created.output)")
        let id = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        // When a second package is installed by another process
        let installed = try CLI.run(["install", id, "ptiso_cli_two==2.0.0", "--find-links", wheels.path, "--offline"] + state)
        #expect(installed.status == 0, "\(installed.output)")

        // Then both are listed, and commands see the spec's variables and their stdin
        let packages = try CLI.run(["packages", id, "--json"] + state)
        let listed = try JSONDecoder.seconds.decode([InstalledPackage].self, from: Data(packages.stdout.utf8))
        #expect(listed.contains(InstalledPackage(name: "ptiso_cli_one", version: "1.0.0")), "\(packages.output)")
        #expect(listed.contains(InstalledPackage(name: "ptiso_cli_two", version: "2.0.0")), "\(packages.output)")
        let script = "import os, sys; print(os.environ['MODE'], sys.stdin.read())"
        let ran = try CLI.run(["run", id, "--stdin"] + state + ["--", "python", "-c", script], stdin: Data("piped".utf8))
        #expect(ran.stdout == "cli piped\n", "\(ran.output)")

        let missing = try CLI.run(["install", id, "ptiso_cli_absent", "--find-links", wheels.path, "--offline"] + state)
        #expect(missing.status == 1 && missing.stderr.contains("Error: "), "\(missing.output)")
        #expect(try CLI.run(["rm", id] + state).status == 0)
    }

    @Test func anInterruptedCreationLeavesOnlyAFailedRecord() throws {
        let home = try TestHome("cli-interrupt-create")
        let state = ["--home", home.url.path]
        let index = try SilentServer()

        // Given a creation whose installer waits on an index that never answers
        let creator = try CLI.Running(
            ["create", "-r", "ptiso_never", "--index-url", "http://127.0.0.1:\(index.port)/simple"] + state, watchingStderr: true)
        #expect(creator.waitForOutput(containing: "progress env-"))

        // When it is interrupted
        kill(creator.process.processIdentifier, SIGINT)

        // Then it exits 130, and the environment is recorded failed with its directory gone
        #expect(creator.wait() == 130, "\(creator.text)")
        let listed = try CLI.run(["ls", "--all", "--json"] + state)
        let environments = try JSONDecoder.seconds.decode([Environment].self, from: Data(listed.stdout.utf8))
        #expect(environments.count == 1 && environments.first?.status == .failed, "\(listed.output)")
        let envs = (try? FileManager.default.contentsOfDirectory(atPath: home.url.appendingPathComponent("envs").path)) ?? []
        #expect(envs.isEmpty, "\(envs)")
    }

    @Test func snapshotsTravelThroughAnArchive() throws {
        let home = try TestHome("cli-archive")
        let state = ["--home", home.url.path]
        let id = try CLI.run(["create"] + state).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try CLI.run(["snapshot", "create", id, "--name", "travel"] + state).status == 0)
        let archive = home.url.appendingPathComponent("travel.tar").path
        let exported = try CLI.run(["snapshot", "export", "travel", archive] + state)
        #expect(exported.status == 0, "\(exported.output)")
        let imported = try CLI.run(["snapshot", "import", archive, "--name", "travelled", "--json"] + state)
        #expect(imported.status == 0, "\(imported.output)")
        let snapshot = try JSONDecoder.seconds.decode(Snapshot.self, from: Data(imported.stdout.utf8))
        #expect(snapshot.name == "travelled")
        let restored = try CLI.run(["snapshot", "restore", "travelled"] + state)
        #expect(restored.status == 0, "\(restored.output)")
        #expect(try CLI.run(["rm", id, restored.stdout.trimmingCharacters(in: .whitespacesAndNewlines)] + state).status == 0)
    }

    @Test func engineListAndTemplateCollection() throws {
        let home = try TestHome("cli-gc")
        let state = ["--home", home.url.path]
        let engines = try CLI.run(["engines", "--json"] + state)
        #expect(engines.status == 0, "\(engines.output)")
        let infos = try JSONDecoder.seconds.decode([EngineInfo].self, from: Data(engines.stdout.utf8))
        #expect(infos.map(\.kind) == [.virtualenv, .docker] || infos.map(\.kind) == [.docker, .virtualenv])
        #expect(infos.first { $0.kind == .docker }?.observable == true)
        #expect(infos.first { $0.kind == .virtualenv }?.available == true)

        // Given a template, made by a creation that installs a package
        let wheels = home.url.appendingPathComponent("wheels")
        try Wheels.make("ptiso_cli_gc", "1.0.0", in: wheels)
        let spec = #"{"requirements": ["ptiso_cli_gc==1.0.0"], "find_links": ["\#(wheels.path)"], "offline": true}"#
        let created = try CLI.run(["create", "--spec", "-"] + state, stdin: Data(spec.utf8))
        #expect(created.status == 0, "\(created.output)")
        let id = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try CLI.run(["rm", id] + state).status == 0)
        struct Cached: Decodable {
            var templates: [TemplateInfo]
            var images: [ImageManager.Entry]
        }
        let cache = try CLI.run(["cache", "--json"] + state)
        #expect(cache.status == 0, "\(cache.output)")
        let cached = try JSONDecoder.seconds.decode(Cached.self, from: Data(cache.stdout.utf8))
        #expect(cached.templates.map(\.requirements) == [["ptiso_cli_gc==1.0.0"]])
        #expect(cached.images.isEmpty)
        #expect(try CLI.run(["cache"] + state).stdout.contains("ptiso_cli_gc==1.0.0"))
        let planned = try CLI.run(["gc", "--max-bytes", "0", "--dry-run", "--json"] + state)
        #expect(planned.status == 0, "\(planned.output)")
        struct Report: Decodable {
            var templates: TemplateCollection
            var images: [ImageManager.Entry]
        }
        let plan = try JSONDecoder.seconds.decode(Report.self, from: Data(planned.stdout.utf8))
        #expect(plan.templates.evicted.count == 1 && plan.templates.limitBytes == 0)
        #expect(plan.images.isEmpty, "this home built no image")
        let again = try CLI.run(["gc", "--max-bytes", "0", "--dry-run", "--json"] + state)
        #expect(again.stdout == planned.stdout, "a dry run removes nothing")
        let collected = try CLI.run(["gc", "--max-bytes", "0"] + state)
        #expect(collected.stdout.contains("removed 1 templates"), "\(collected.output)")
        #expect(try CLI.run(["gc", "--max-bytes", "0", "--dry-run"] + state).stdout.contains("would remove 0 templates"))
        #expect(try CLI.run(["cache"] + state).stdout.hasPrefix("no templates\n"))
    }

    @Test func completionScriptsComeFromArgumentParser() throws {
        let bash = try CLI.run(["--generate-completion-script", "bash"])
        #expect(bash.status == 0)
        #expect(bash.stdout.contains("complete") && bash.stdout.contains("ptest-iso") && bash.stdout.contains("snapshot"))
    }

    @Test func everyCommandHasExamplesInItsHelp() throws {
        let commands = [
            ["engines"], ["create"], ["ls"], ["inspect"], ["run"], ["job"], ["install"], ["packages"], ["logs"], ["stats"], ["stop"],
            ["start"],
            ["rm"], ["snapshot"],
            ["snapshot", "create"], ["snapshot", "ls"], ["snapshot", "restore"], ["snapshot", "rm"], ["snapshot", "export"],
            ["snapshot", "import"], ["cache"], ["gc"], ["cleanup"], ["doctor"],
        ]
        for command in commands {
            let help = try CLI.run(command + ["--help"])
            #expect(help.status == 0 && help.stdout.contains("Examples:"), "\(command): \(help.output)")
        }
    }
}
