import Foundation
import IsolationCore
import Testing

/// A temporary project directory holding compose files (and env files) written by a test.
struct ComposeFixture {
    let directory: String

    init(_ files: [String: String]) throws {
        directory = NSTemporaryDirectory() + "compose-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files { try write(name, text) }
    }

    func write(_ name: String, _ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path(name)))
    }

    func path(_ name: String) -> String {
        "\(directory)/\(name)"
    }

    func load(
        _ names: String..., projectName: String? = nil, environment: [String: String] = [:], profiles: [String] = []
    ) throws -> ComposeProject {
        try ComposeLoader.load(
            files: names.map(path), projectName: projectName, environment: environment, profiles: profiles)
    }

    /// The loader's error for the files; the test fails when there is none.
    func error(_ names: String..., environment: [String: String] = [:]) -> IsolationError? {
        do {
            _ = try ComposeLoader.load(files: names.map(path), environment: environment)
            Issue.record("loading \(names) succeeded; an error was expected")
            return nil
        } catch let error as IsolationError {
            return error
        } catch {
            Issue.record("not an IsolationError: \(error)")
            return nil
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
