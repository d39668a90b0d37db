public import Foundation
import IsolationCore

/// Runs the built `ptest-iso` binary, as a user or a script would.
public enum CLI {
    public static var path: String {
        URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("ptest-iso").path
    }

    public struct Result {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// Both streams, stdout first.
        public var output: String { stdout + stderr }
    }

    /// Runs to completion. Output goes to files rather than pipes, so a chatty
    /// stream cannot fill a pipe while the other is being read.
    public static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String]? = nil) throws -> Result {
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
        if let environment { process.environment = environment }
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

    /// Runs another program (e.g. script(1), to give `ptest-iso` a terminal) and returns its stdout.
    public static func runProgram(_ program: String, _ arguments: [String], environment: [String: String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// A running `ptest-iso` whose stdout (or stderr) is read as it is written.
    public final class Running {
        public let process = Process()
        private let output = Pipe()
        /// What was read so far of the watched stream.
        public private(set) var text = ""

        public init(_ arguments: [String], watchingStderr: Bool = false) throws {
            process.executableURL = URL(fileURLWithPath: CLI.path)
            process.arguments = arguments
            process.standardOutput = watchingStderr ? FileHandle.nullDevice : output
            process.standardError = watchingStderr ? output : FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        /// Reads until the stream contains `wanted`; false when it ended first.
        public func waitForOutput(containing wanted: String) -> Bool {
            while !text.contains(wanted) {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { return false }
                text += String(decoding: data, as: UTF8.self)
            }
            return true
        }

        /// Reads until the stream holds `count` complete lines; false when it ended first.
        public func waitForLines(_ count: Int) -> Bool {
            while text.filter({ $0 == "\n" }).count < count {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { return false }
                text += String(decoding: data, as: UTF8.self)
            }
            return true
        }

        /// Waits for the exit, reading the rest of the stream.
        public func wait() -> Int32 {
            text += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return process.terminationStatus
        }
    }
}

extension JSONDecoder {
    /// Reads the CLI's JSON: the project's snake_case dialect, dates as Unix seconds.
    public static var seconds: JSONDecoder { SchemaJSON.decoder() }
}
