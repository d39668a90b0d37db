import Foundation
import IsolationCore
import Testing

@Suite struct InterpreterTests {
    @Test func theFirstPython3OnPathIsTheDefault() async throws {
        let discovery = InterpreterDiscovery()
        let interpreter = try await discovery.find(nil)
        #expect(interpreter.version.first == 3)
        #expect(interpreter.source == "PATH")
        #expect(FileManager.default.isExecutableFile(atPath: interpreter.executable))
    }

    @Test func versionRequestsAndExplicitPathsAreHonoured() async throws {
        let discovery = InterpreterDiscovery()
        let any = try await discovery.find(nil)
        let byMinor = try await discovery.find(any.minorVersion)
        #expect(byMinor.minorVersion == any.minorVersion)
        let byRange = try await discovery.find(">=3.8")
        #expect(byRange.version.lexicographicallyPrecedes([3, 8]) == false)
        let explicit = try await discovery.find("/usr/bin/python3")
        #expect(explicit.source == "explicit")
        #expect(await discovery.all().contains { $0.executable == explicit.executable })
    }

    @Test func anUnmatchedRequestListsWhatWasFound() async throws {
        let discovery = InterpreterDiscovery()
        let error = await #expect(throws: IsolationError.self) { try await discovery.find(">=3.99") }
        #expect(error?.code == .interpreterNotFound)
        #expect(error?.message.contains("no interpreter matches '>=3.99'") == true)
        #expect(error?.message.contains("/usr/bin/python3") == true)
        let missingPath = await #expect(throws: IsolationError.self) { try await discovery.find("/no/such/python") }
        #expect(missingPath?.code == .interpreterNotFound)
    }
}
