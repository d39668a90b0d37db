import Foundation

/// Runs the built `ptest-iso` binary, as a user or a script would.
enum CLI {
    static var path: String {
        URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("ptest-iso").path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Both streams, stdout first.
        var output: String { stdout + stderr }
    }

    /// Runs to completion. Output goes to files rather than pipes, so a chatty
    /// stream cannot fill a pipe while the other is being read.
    static func run(_ arguments: [String], stdin: Data? = nil) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("ptest-iso-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let out = scratch.appendingPathComponent("stdout")
        let err = scratch.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(stdin) }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: try String(contentsOf: out, encoding: .utf8),
            stderr: try String(contentsOf: err, encoding: .utf8))
    }

    /// A running `ptest-iso` whose stdout is read as it is written.
    final class Running {
        let process = Process()
        private let output = Pipe()
        private(set) var stdout = ""

        init(_ arguments: [String]) throws {
            process.executableURL = URL(fileURLWithPath: CLI.path)
            process.arguments = arguments
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        /// Reads until stdout contains `text`; false when stdout ended first.
        func waitForOutput(containing text: String) -> Bool {
            while !stdout.contains(text) {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { return false }
                stdout += String(decoding: data, as: UTF8.self)
            }
            return true
        }

        /// Waits for the exit, reading the rest of stdout.
        func wait() -> Int32 {
            stdout += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return process.terminationStatus
        }
    }
}
