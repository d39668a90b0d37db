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
        try #"""
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include "ptest_isolation.h"
        struct streams { char out[64]; char err[64]; int stop; };
        static int32_t on_chunk(int32_t stream, const uint8_t *data, size_t length, void *context) {
            struct streams *seen = context;
            char *buffer = stream == PTEST_ISO_STREAM_STDOUT ? seen->out : seen->err;
            strncat(buffer, (const char *)data, length < 16 ? length : 16);
            return seen->stop;
        }
        int main(int argc, char **argv) {
            if (argc < 2) return 9;
            if (ptest_iso_abi_version() != PTEST_ISO_ABI_VERSION) { puts("abi mismatch"); return 1; }
            if (ptest_iso_protocol_version() != PTEST_ISO_PROTOCOL_VERSION) { puts("protocol mismatch"); return 1; }
            printf("abi=%u version=%s\n", ptest_iso_abi_version(), ptest_iso_version());
            char config[512];
            snprintf(config, sizeof config, "{\"home\": \"%s\", \"session\": \"c-probe\"}", argv[1]);
            ptest_iso_manager *manager = NULL;
            char *out = NULL;
            if (ptest_iso_open(config, &manager, &out) != PTEST_ISO_OK) { printf("open: %s\n", out); return 2; }
            int32_t status = ptest_iso_call(manager, "session", "{}", &out);
            printf("session %d %s\n", status, out);
            ptest_iso_free(out);
            status = ptest_iso_call(manager, "get", "{\"id\": \"env-none\"}", &out);
            printf("get %d %s\n", status, strstr(out, "\"code\":\"notFound\"") ? "notFound" : out);
            ptest_iso_free(out);
            status = ptest_iso_call(manager, "migrate", "{\"id\": \"env-none\", \"image\": \"python:3.11\"}", &out);
            printf("migrate %d %s\n", status, strstr(out, "\"code\":\"notFound\"") ? "notFound" : out);
            ptest_iso_free(out);
            status = ptest_iso_call(manager, "create", "{}", &out);
            char id[64] = {0};
            const char *found = strstr(out, "\"id\":\"");
            if (status != PTEST_ISO_OK || !found) { printf("create: %s\n", out); return 3; }
            sscanf(found + 6, "%63[^\"]", id);
            ptest_iso_free(out);
            char request[256];
            snprintf(request, sizeof request, "{\"id\": \"%s\", \"argv\": [\"sh\", \"-c\", \"printf a; printf b >&2; printf c; exit 3\"]}", id);
            struct streams seen = {{0}, {0}, 0};
            status = ptest_iso_call_streaming(manager, "run_stream", request, on_chunk, &seen, &out);
            printf("stream %d out=%s err=%s %s\n", status, seen.out, seen.err, strstr(out, "\"exit_code\":3") ? "exit 3" : out);
            ptest_iso_free(out);
            snprintf(request, sizeof request, "{\"id\": \"%s\", \"argv\": [\"sh\", \"-c\", \"echo x; exec sleep 300\"]}", id);
            struct streams stopping = {{0}, {0}, 1};
            status = ptest_iso_call_streaming(manager, "run_stream", request, on_chunk, &stopping, &out);
            printf("stopped %d %s\n", status, strstr(out, "\"code\":\"cancelled\"") ? "cancelled" : out);
            ptest_iso_free(out);
            snprintf(request, sizeof request, "{\"id\": \"%s\"}", id);
            printf("destroy %d\n", ptest_iso_call(manager, "destroy", request, &out));
            ptest_iso_free(out);
            status = ptest_iso_call(manager, "get", "[1,", &out);
            printf("malformed %d\n", status);
            ptest_iso_free(out);
            printf("close %d\n", ptest_iso_close(manager, NULL));
            printf("close again %d\n", ptest_iso_close(manager, NULL));
            printf("call closed %d\n", ptest_iso_call(manager, "session", "{}", &out));
            ptest_iso_free(out);
            status = ptest_iso_call(NULL, "service_spec", "{\"service\": \"redis\"}", &out);
            printf("service spec without a handle %d %s\n", status, strstr(out, "\"container_port\":6379") ? "port 6379" : out);
            ptest_iso_free(out);
            status = ptest_iso_call(NULL, "service_spec", "{\"service\": \"redis\", \"options\": {\"pasword\": \"x\"}}", &out);
            printf("bad service option %d %s\n", status, strstr(out, "\"field\":\"options.pasword\"") ? "options.pasword" : out);
            ptest_iso_free(out);
            printf("session without a handle %d\n", ptest_iso_call(NULL, "session", "{}", &out));
            ptest_iso_free(out);
            printf("open null out %d\n", ptest_iso_open(NULL, NULL, NULL));
            ptest_iso_free(NULL);
            return 0;
        }
        """#.write(to: source, atomically: true, encoding: .utf8)
        let binary = work.appendingPathComponent("probe").path
        let compiled = try Self.run(
            "/usr/bin/cc",
            [
                source.path, "-I", Self.headerDirectory.path, "-L", Self.buildDirectory.path, "-lCPtestIsolation",
                "-Wl,-rpath,\(Self.buildDirectory.path)", "-o", binary,
            ]
        )
        #expect(compiled.status == 0, "\(compiled.output)")
        let ran = try Self.run(binary, [work.appendingPathComponent("home").path])
        #expect(ran.status == 0, "\(ran.output)")
        #expect(
            ran.output == """
                abi=1 version=0.1.0
                session 0 {"home":"\(work.appendingPathComponent("home").path)","session":"c-probe"}
                get -4 notFound
                migrate -4 notFound
                stream 0 out=ac err=b exit 3
                stopped -12 cancelled
                destroy 0
                malformed -1
                close 0
                close again -3
                call closed -3
                service spec without a handle 0 port 6379
                bad service option -5 options.pasword
                session without a handle -3
                open null out -1

                """)
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
        #expect(
            Set(names) == [
                "ptest_iso_abi_version", "ptest_iso_protocol_version", "ptest_iso_version", "ptest_iso_open", "ptest_iso_close",
                "ptest_iso_call", "ptest_iso_call_streaming", "ptest_iso_set_event_callback", "ptest_iso_free",
            ])
    }
}
