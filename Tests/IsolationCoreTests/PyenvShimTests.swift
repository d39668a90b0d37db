import Foundation
import IsolationCore
import TestSupport
import Testing

/// A pyenv shim is asked through the interpreter it would run when pyenv's files name exactly
/// one, and run as it is otherwise. The fake pyenv here has the real shim's shape; every program
/// in it leaves a mark saying it ran (and with which `PYENV_VERSION`), then runs the system Python.
@Suite struct PyenvShimTests {
    /// A pyenv root in a test home: `shims/python3`, `libexec/pyenv` and `versions/<v>/bin/python3`.
    struct FakePyenv: ~Copyable {
        let home: TestHome
        var root: String { home.url.path + "/pyenv" }
        var project: String { home.url.path + "/project" }
        var shim: String { root + "/shims/python3" }

        init(versions: [String]) throws {
            let made = try TestHome("pyenv")
            let root = made.url.path + "/pyenv"
            try FileManager.default.createDirectory(atPath: made.url.path + "/project/sub", withIntermediateDirectories: true)
            try Self.script(
                at: root + "/shims/python3",
                """
                #!/usr/bin/env bash
                set -e
                [ -n "$PYENV_DEBUG" ] && set -x

                program="${0##*/}"

                export PYENV_ROOT="\(root)"
                exec "\(root)/libexec/pyenv" exec "$program" "$@"
                """)
            try Self.script(at: root + "/libexec/pyenv", Self.marking(root + "/ran-shim", dropping: 2))
            for version in versions {
                try Self.script(at: root + "/versions/\(version)/bin/python3", Self.marking(root + "/ran-\(version)", dropping: 0))
            }
            home = made
        }

        private static func marking(_ mark: String, dropping count: Int) -> String {
            "#!/bin/sh\nprintf '%s' \"$PYENV_VERSION\" > '\(mark)'\nshift \(count)\nexec /usr/bin/python3 \"$@\"\n"
        }

        private static func script(at path: String, _ text: String) throws {
            try FileManager.default.createDirectory(
                atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            chmod(path, 0o755)
        }

        func write(_ text: String, to path: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        }

        /// Asks a fresh discovery about the shim from `directory`, and returns which programs ran,
        /// each with the `PYENV_VERSION` it saw.
        func ask(from directory: String, pyenvVersion: String? = nil) async throws -> [String: String] {
            for name in (try FileManager.default.contentsOfDirectory(atPath: root)) where name.hasPrefix("ran-") {
                try FileManager.default.removeItem(atPath: root + "/" + name)
            }
            var environment = ["PATH": "/usr/bin:/bin"]
            environment["PYENV_VERSION"] = pyenvVersion
            let interpreter = try await InterpreterDiscovery(environment: environment, directory: directory).find(shim)
            #expect(interpreter.version.first == 3)
            var ran: [String: String] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: root) where name.hasPrefix("ran-") {
                ran[String(name.dropFirst(4))] = try String(contentsOfFile: root + "/" + name, encoding: .utf8)
            }
            return ran
        }
    }

    @Test func theVersionPyenvWouldPickIsRunWithoutTheShim() async throws {
        let pyenv = try FakePyenv(versions: ["3.98.0", "3.99.1"])
        try pyenv.write("3.99.1\n", to: pyenv.root + "/version")
        #expect(try await pyenv.ask(from: pyenv.project + "/sub") == ["3.99.1": ""])

        // The nearest .python-version wins over the global file; its first version word counts.
        try pyenv.write("# pinned\n\n  3.98.0 extra words\r\n3.99.1\n", to: pyenv.project + "/.python-version")
        #expect(try await pyenv.ask(from: pyenv.project + "/sub") == ["3.98.0": ""])
        #expect(try await pyenv.ask(from: pyenv.project) == ["3.98.0": ""])
        #expect(try await pyenv.ask(from: pyenv.home.url.path) == ["3.99.1": ""])

        // PYENV_VERSION wins over both, and is passed on to what runs.
        #expect(try await pyenv.ask(from: pyenv.project, pyenvVersion: "3.99.1:3.98.0") == ["3.99.1": "3.99.1:3.98.0"])
    }

    @Test func whatOnlyPyenvCanResolveIsLeftToTheShim() async throws {
        let pyenv = try FakePyenv(versions: ["3.99.1"])
        try FileManager.default.createDirectory(atPath: pyenv.root + "/versions/3.97.0", withIntermediateDirectories: true)
        // No version file at all: pyenv says `system`.
        #expect(try await pyenv.ask(from: pyenv.project) == ["shim": ""])
        for global in ["system\n", "3.99\n", "3.95.0\n", "../3.99.1\n", "3.97.0\n", "# only a comment\n"] {
            try pyenv.write(global, to: pyenv.root + "/version")
            #expect(try await pyenv.ask(from: pyenv.project) == ["shim": ""], "global version file \(global.debugDescription)")
        }
        // An empty nearest .python-version makes pyenv say `system` without reading the global file.
        try pyenv.write("3.99.1\n", to: pyenv.root + "/version")
        try pyenv.write("", to: pyenv.project + "/.python-version")
        #expect(try await pyenv.ask(from: pyenv.project) == ["shim": ""])
        // A prefix in PYENV_VERSION is pyenv's to resolve, and the shim is told it.
        #expect(try await pyenv.ask(from: pyenv.home.url.path, pyenvVersion: "3.99") == ["shim": "3.99"])
    }

    /// pyenv reads only regular files (`[ -f ]`): a FIFO where a version file would be is passed
    /// over, not opened (the read would wait for a writer forever).
    @Test(.timeLimit(.minutes(1))) func aVersionFileThatIsNotARegularFileIsPassedOver() async throws {
        let pyenv = try FakePyenv(versions: ["3.99.1"])
        try pyenv.write("3.99.1\n", to: pyenv.root + "/version")
        #expect(mkfifo(pyenv.project + "/.python-version", 0o644) == 0)
        #expect(try await pyenv.ask(from: pyenv.project) == ["3.99.1": ""])
        try FileManager.default.removeItem(atPath: pyenv.root + "/version")
        #expect(mkfifo(pyenv.root + "/version", 0o644) == 0)
        #expect(try await pyenv.ask(from: pyenv.project) == ["shim": ""])
    }

    @Test func aScriptThatIsNotAPyenvShimIsRunAsItIs() async throws {
        let pyenv = try FakePyenv(versions: ["3.99.1"])
        try pyenv.write("3.99.1\n", to: pyenv.root + "/version")
        // Same shape, but it runs something else than pyenv: it is not read as a shim.
        let shim = try String(contentsOfFile: pyenv.shim, encoding: .utf8)
        try pyenv.write(shim.replacingOccurrences(of: "/libexec/pyenv\" exec", with: "/libexec/pyenv\" run"), to: pyenv.shim)
        try pyenv.write(
            "#!/bin/sh\nprintf '' > '\(pyenv.root)/ran-shim'\nshift 2\nexec /usr/bin/python3 \"$@\"\n", to: pyenv.root + "/libexec/pyenv")
        #expect(try await pyenv.ask(from: pyenv.project) == ["shim": ""])
    }
}
