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

/// Wheels made at test time by `scripts/make_wheel.py`: no network needed.
enum Wheels {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/make_wheel.py").path

    /// Writes `name-version-py3-none-any.whl` into `directory`.
    static func make(_ name: String, _ version: String, in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, name, version, directory.path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}
