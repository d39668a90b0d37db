public import Foundation
public import IsolationCore

/// A private state directory per test, removed afterwards.
public struct TestHome: ~Copyable {
    public let url: URL

    public init(_ name: String = "home") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("ptest-iso-\(name)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    public func manager(
        maxLive: Int = 64, environment: [String: String] = ProcessInfo.processInfo.environment, session: String = "test-session"
    ) throws -> IsolationManager {
        let configuration = IsolationManager.Configuration(
            home: url, session: session, maxLiveEnvironments: maxLive, environment: environment)
        return try IsolationManager(
            configuration: configuration, engines: [VirtualenvEngine(home: url, environment: environment)])
    }
}

/// Wheels made at test time by `scripts/make_wheel.py`: no network needed.
public enum Wheels {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/make_wheel.py").path

    /// Writes `name-version-py3-none-any.whl` into `directory`.
    public static func make(_ name: String, _ version: String, in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, name, version, directory.path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "make_wheel.py \(name) \(version) failed"])
        }
    }
}
