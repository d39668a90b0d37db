import ArgumentParser
import Foundation
import IsolationCore

/// `docker cp`'s syntax: one side is `ID:PATH` inside an environment, the other a host path.
struct Copy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cp",
        abstract: "Copy files between the host and an environment.",
        discussion: """
            One of SOURCE and DESTINATION is ID:PATH, a path inside the environment (relative to its \
            working directory); the other is a host path. Where a copy lands follows `docker cp`.

            Examples:
              ptest-iso cp ./tests env-3f2a9c1b7d40:tests
              ptest-iso cp env-3f2a9c1b7d40:report.xml ./report.xml
            """
    )

    @OptionGroup var state: StateOptions

    @Argument(help: "ID:PATH or a host path.")
    var source: String

    @Argument(help: "ID:PATH or a host path.")
    var destination: String

    /// `env-…:path` → (id, path); a host path (which may hold a colon itself) → nil.
    static func environmentPath(_ argument: String) -> (id: String, path: String)? {
        guard !argument.hasPrefix("/"), !argument.hasPrefix("."), let colon = argument.firstIndex(of: ":") else { return nil }
        let id = String(argument[..<colon])
        guard !id.isEmpty, !id.contains("/") else { return nil }
        let path = String(argument[argument.index(after: colon)...])
        return (id, path.isEmpty ? "." : path)
    }

    func validate() throws {
        switch (Self.environmentPath(source), Self.environmentPath(destination)) {
        case (nil, nil): throw ValidationError("one of SOURCE and DESTINATION must be ID:PATH, a path in an environment")
        case (.some, .some): throw ValidationError("copy between two environments through the host: one side must be a host path")
        default: break
        }
    }

    func run() async throws {
        let manager = try await state.manager()
        if let (reference, path) = Self.environmentPath(destination) {
            let id = try await manager.resolveAddress(reference)
            let host = URL(fileURLWithPath: source)
            try await interruptible { try await manager.copyIn(id, from: host, to: path) }
        } else if let (reference, path) = Self.environmentPath(source) {
            let id = try await manager.resolveAddress(reference)
            let host = URL(fileURLWithPath: destination)
            try await interruptible { try await manager.copyOut(id, from: path, to: host) }
        }
    }
}
