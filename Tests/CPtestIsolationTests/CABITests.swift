import Foundation
import Testing

/// Drives the built shared library the way a foreign caller does: a C
/// program compiled against the header in the repository.
@Suite struct CABITests {
    static var buildDirectory: URL {
        // The test binary sits in the same build directory as libCPtestIsolation.so.
        URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    }

    static var library: URL { buildDirectory.appendingPathComponent("libCPtestIsolation.so") }

    static var headerDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/CPtestIsolation/include")
    }

    static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (
        status: Int32, output: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func aCProgramLinksAgainstTheHeaderAndTheLibrary() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("ptest-iso-cabi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let source = work.appendingPathComponent("probe.c")
        try """
        #include <stdio.h>
        #include <string.h>
        #include "ptest_isolation.h"
        int main(void) {
            if (ptest_iso_abi_version() != PTEST_ISO_ABI_VERSION) { puts("abi mismatch"); return 1; }
            printf("abi=%u version=%s\\n", ptest_iso_abi_version(), ptest_iso_version());
            return strlen(ptest_iso_version()) > 0 ? 0 : 2;
        }
        """.write(to: source, atomically: true, encoding: .utf8)
        let binary = work.appendingPathComponent("probe").path
        let compiled = try Self.run(
            "/usr/bin/cc",
            [
                source.path, "-I", Self.headerDirectory.path, "-L", Self.buildDirectory.path, "-lCPtestIsolation",
                "-Wl,-rpath,\(Self.buildDirectory.path)", "-o", binary,
            ]
        )
        #expect(compiled.status == 0, "\(compiled.output)")
        let ran = try Self.run(binary, [])
        #expect(ran.status == 0)
        #expect(ran.output == "abi=1 version=0.1.0\n")
    }

    @Test func onlyTheCABIIsExported() throws {
        let symbols = try Self.run("/usr/bin/nm", ["-D", "--defined-only", Self.library.path])
        #expect(symbols.status == 0, "\(symbols.output)")
        // Global bindings only (an upper-case type letter); local entries are not visible to callers.
        let names = symbols.output.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count == 3, fields[1].first?.isUppercase == true else { return nil }
            return String(fields[2])
        }
        #expect(!names.isEmpty)
        #expect(names.allSatisfy { $0.hasPrefix("ptest_iso_") }, "unexpected exports: \(names.filter { !$0.hasPrefix("ptest_iso_") })")
        #expect(Set(names).isSuperset(of: ["ptest_iso_abi_version", "ptest_iso_version"]))
    }
}
