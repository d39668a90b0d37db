import Foundation
import TestSupport
import Testing

/// Bad input to any command: one `Error:` line ending stderr, nothing on stdout, and the documented exit code.
struct ExitStatusTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var arguments: [String]
        var status: Int32
        var stdin: String? = nil
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let failed: Int32 = 1
    static let notFound: Int32 = 3
    static let engineUnavailable: Int32 = 4
    static let invalidInput: Int32 = 5
    static let usage: Int32 = 64

    static let cases: [Case] = [
        Case(arguments: ["inspect", "env-nope"], status: notFound),
        Case(arguments: ["ls", "--status", "bogus"], status: usage),
        Case(arguments: ["ls", "--label", "no-equals"], status: usage),
        Case(arguments: ["reap", "--home", "/tmp", "--session", ""], status: usage),
        Case(arguments: ["reap", "--home", "/tmp", "--session", "s", "--grace", "-1"], status: usage),
        Case(arguments: ["reap", "--home", "/tmp", "--session", "s", "--grace", "1e20"], status: usage),
        Case(arguments: ["run", "env-nope", "--", "true"], status: notFound),
        Case(arguments: ["exec", "env-nope", "--", "true"], status: notFound),
        Case(arguments: ["install", "env-nope", "requests"], status: notFound),
        Case(arguments: ["packages", "env-nope"], status: notFound),
        Case(arguments: ["logs", "env-nope"], status: notFound),
        Case(arguments: ["stats", "env-nope"], status: notFound),
        Case(arguments: ["stop", "env-nope"], status: notFound),
        Case(arguments: ["start", "env-nope"], status: notFound),
        Case(arguments: ["rm", "env-nope"], status: notFound),
        Case(arguments: ["rm", "--force", "env-nope"], status: notFound),
        Case(arguments: ["snapshot", "create", "env-nope"], status: notFound),
        Case(arguments: ["snapshot", "restore", "nope"], status: notFound),
        Case(arguments: ["snapshot", "rm", "nope"], status: notFound),
        Case(arguments: ["snapshot", "export", "nope", "/tmp/nope.tar"], status: notFound),
        Case(arguments: ["snapshot", "import", "/nonexistent/nope.tar"], status: notFound),
        Case(arguments: ["snapshot", "import", "/tmp"], status: failed),
        Case(arguments: ["create", "--spec", "-"], status: invalidInput, stdin: "{not json"),
        Case(arguments: ["create", "--spec", "-"], status: invalidInput, stdin: #"{"python": 3}"#),
        Case(arguments: ["create", "--spec", "-"], status: invalidInput, stdin: #"{"ttlSeconds": -1}"#),
        Case(arguments: ["create", "--spec", "-"], status: invalidInput, stdin: #"{"ttl_seconds": -1}"#),
        Case(arguments: ["create", "--spec", "-"], status: invalidInput, stdin: #"{"ttl_seconds": 1e300}"#),
        Case(arguments: ["create", "--spec", "-"], status: invalidInput, stdin: #"{"prots": [80], "requirments": ["six"]}"#),
        Case(arguments: ["create", "--spec", "-"], status: invalidInput, stdin: #"{"with_pip": true, "memory": "1g"}"#),
        Case(arguments: ["create", "--spec", "-"], status: invalidInput, stdin: #"{"image": "x", "resources": {"memroy": "1g"}}"#),
        Case(arguments: ["create", "--spec", "-"], status: invalidInput, stdin: #"{"cleanup": "sometimes"}"#),
        Case(arguments: ["create", "--spec", "-"], status: invalidInput, stdin: "{\"name\": \"\(String(repeating: "n", count: 5000))\"}"),
        Case(arguments: ["create", "--ttl", "1e300"], status: usage),
        Case(arguments: ["create", "--ttl", "-5"], status: usage),
        Case(arguments: ["create", "--timeout", "1e300"], status: usage),
        Case(arguments: ["ls", "--engine", "bogus"], status: usage),
        Case(arguments: ["run", "env-x", "--timeout", "-1", "--", "true"], status: usage),
        Case(
            arguments: ["job", "--spec", "-"], status: invalidInput,
            stdin: #"{"image": "ptest-iso-test/busybox:latest", "command": ["true"], "backoff_seconds": 1e300}"#),
        Case(arguments: ["create", "--spec", "/nonexistent/spec.json"], status: invalidInput),
        Case(arguments: ["create", "--python", "three"], status: invalidInput),
        Case(arguments: ["create", "--engine", "kubernetes"], status: engineUnavailable),
        Case(arguments: ["create", "--image", "ptest-iso-test/absent:latest"], status: invalidInput),
        Case(arguments: ["create", "--spec", "spec.json", "--python", "3.12"], status: usage),
        Case(arguments: ["create", "--keep", "--ttl", "60"], status: usage),
        Case(arguments: ["create", "--timeout", "0"], status: usage),
        Case(arguments: ["run", "env-x"], status: usage),
        Case(arguments: ["job", "--", "true"], status: usage),
        Case(arguments: ["job", "--image", "ptest-iso-test/busybox:latest"], status: usage),
        Case(arguments: ["job", "--image", "a", "--build", ".", "--", "true"], status: usage),
        Case(arguments: ["job", "--spec", "-", "--retries", "2"], status: usage),
        Case(arguments: ["job", "--spec", "-"], status: invalidInput, stdin: #"{"image": "busybox"}"#),
        Case(
            arguments: ["job", "--spec", "-"], status: invalidInput,
            stdin: #"{"image": "ptest-iso-test/busybox:latest", "command": ["true"], "retries": -1}"#),
        Case(arguments: ["run", "env-x", "--env", "NOEQUALS", "--", "true"], status: usage),
        Case(arguments: ["run", "env-x", "--timeout", "abc", "--", "true"], status: usage),
        Case(arguments: ["inspect"], status: usage),
        Case(arguments: ["install", "env-x"], status: usage),
        Case(arguments: ["create", "--env", "=x"], status: usage),
        Case(arguments: ["rm"], status: usage),
        Case(arguments: ["logs", "env-x", "--tail", "-1"], status: usage),
        Case(arguments: ["stats"], status: usage),
        Case(arguments: ["gc", "--max-bytes", "lots"], status: usage),
        Case(arguments: ["snapshot", "export", "nope"], status: usage),
        Case(arguments: ["snapshot", "frobnicate"], status: usage),
        Case(arguments: ["cleanup", "--expired", "--all"], status: usage),
        Case(arguments: ["frobnicate"], status: usage),
    ]

    @Test(arguments: cases) func badInputIsOneErrorLine(_ input: Case) throws {
        let home = try TestHome("cli-errors")
        // Before a `--`, so the state option is not taken for part of a command to run.
        var arguments = input.arguments
        arguments.insert(contentsOf: ["--home", home.url.path], at: arguments.firstIndex(of: "--") ?? arguments.endIndex)
        let result = try CLI.run(arguments, stdin: input.stdin.map { Data($0.utf8) })
        #expect(result.status == input.status, "\(result.output)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        // Only progress lines of a long operation (stderr is no terminal here) may come before the error.
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.last?.hasPrefix("Error: ") == true, "\(result.stderr)")
        #expect(lines.dropLast().allSatisfy { $0.hasPrefix("progress") }, "\(result.stderr)")
        // Errors speak the spec's dialect, never Swift's types or decoding machinery.
        for word in ["Swift.", "DecodingError", "CodingKeys", "Optional<", "NSCocoaErrorDomain"] {
            #expect(!result.stderr.contains(word), "\(result.stderr)")
        }
    }

    @Test func aDirectoryGivenAsASnapshotArchiveIsOneLineNamingIt() throws {
        let home = try TestHome("cli-import-directory")
        let result = try CLI.run(["snapshot", "import", home.url.path, "--home", home.url.path])
        #expect(result.status == Self.failed, "\(result.output)")
        #expect(result.stderr == "Error: \(home.url.path) is a directory, not a snapshot archive\n", "\(result.stderr)")
    }
}
