import Foundation
import IsolationCore
import Testing

/// A private state directory per test, removed afterwards.
struct TestHome: ~Copyable {
    let url: URL

    init(_ name: String = "home") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ptest-iso-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func manager(
        maxLive: Int = 64, environment: [String: String] = ProcessInfo.processInfo.environment, session: String = "test-session"
    ) throws -> IsolationManager {
        let configuration = IsolationManager.Configuration(
            home: url, session: session, maxLiveEnvironments: maxLive, environment: environment)
        return try IsolationManager(
            configuration: configuration, engines: [VirtualenvEngine(home: url, environment: environment)])
    }
}

/// Wheels made at test time with the host interpreter's `zipfile`: no network needed.
enum Wheels {
    static let script = """
        import base64, hashlib, os, sys, zipfile
        name, version, outdir = sys.argv[1:4]
        dist = f"{name}-{version}.dist-info"
        files = {
            f"{name}/__init__.py": f"VERSION = {version!r}\\n",
            f"{dist}/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n",
            f"{dist}/WHEEL": "Wheel-Version: 1.0\\nGenerator: ptest-iso-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
        }
        record = []
        path = os.path.join(outdir, f"{name}-{version}-py3-none-any.whl")
        with zipfile.ZipFile(path, "w") as archive:
            for member, text in files.items():
                data = text.encode()
                archive.writestr(member, data)
                digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                record.append(f"{member},sha256={digest},{len(data)}")
            record.append(f"{dist}/RECORD,,")
            archive.writestr(f"{dist}/RECORD", "\\n".join(record) + "\\n")
        """

    /// Writes `name-version-py3-none-any.whl` into `directory`.
    static func make(_ name: String, _ version: String, in directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, name, version, directory.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
