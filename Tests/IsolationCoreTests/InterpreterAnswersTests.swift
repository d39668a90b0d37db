import Foundation
import IsolationCore
import TestSupport
import Testing

/// A binary's answer about itself is kept in the home and read by the next process instead of
/// asking again, while the binary and the `pyvenv.cfg` beside it stay the same.
@Suite struct InterpreterAnswersTests {
    @Test func aBinarysAnswerIsKeptWhileItsFilesStayTheSame() async throws {
        let home = try TestHome("answers")
        let file = home.url.appendingPathComponent("interpreters.json")
        let bin = home.url.appendingPathComponent("venv/bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let python = bin.appendingPathComponent("python3").path
        try FileManager.default.createSymbolicLink(atPath: python, withDestinationPath: "/usr/bin/python3")
        func ask(_ path: String) async throws -> PythonInterpreter {
            try await InterpreterDiscovery(environment: ["PATH": "/usr/bin:/bin"], answers: file).find(path)
        }

        #expect(try await ask(python).implementation == "cpython")
        // The kept answer, edited: a discovery that reads it instead of asking returns the edit.
        try rewriteImplementation(in: file, to: "remembered")
        let remembered = try await ask(python)
        #expect(remembered.implementation == "remembered")
        #expect(remembered.source == "explicit")

        // A pyvenv.cfg one directory up changes what Python makes of itself: asked again.
        try Data("home = /usr/bin\n".utf8).write(to: home.url.appendingPathComponent("venv/pyvenv.cfg"))
        #expect(try await ask(python).implementation == "cpython")

        // A script is asked every time, never kept: its answer may depend on its environment.
        let script = home.url.appendingPathComponent("wrapper").path
        try Data("#!/bin/sh\nexec /usr/bin/python3 \"$@\"\n".utf8).write(to: URL(fileURLWithPath: script))
        chmod(script, 0o755)
        _ = try await ask(script)
        let kept = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [[String: Any]])
        #expect(kept.map { $0["path"] as? String } == [python])
    }

    @Test func anUnreadableFileIsAskedAroundAndReplaced() async throws {
        let home = try TestHome("answers")
        let file = home.url.appendingPathComponent("interpreters.json")
        try Data("{not json".utf8).write(to: file)
        let answer = try await InterpreterDiscovery(environment: ["PATH": "/usr/bin:/bin"], answers: file).find("/usr/bin/python3")
        #expect(answer.implementation == "cpython")
        let kept = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [[String: Any]])
        #expect(kept.count == 1)
    }

    private func rewriteImplementation(in file: URL, to implementation: String) throws {
        var entries = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [[String: Any]])
        #expect(entries.count == 1)
        var interpreter = try #require(entries[0]["interpreter"] as? [String: Any])
        interpreter["implementation"] = implementation
        entries[0]["interpreter"] = interpreter
        try JSONSerialization.data(withJSONObject: entries).write(to: file)
    }
}
