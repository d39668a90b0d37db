import DockerAPI
import Foundation
import TestSupport
import Testing

@testable import IsolationCore

/// Progress that tells the truth: durations and sizes as people write them, a pull's bytes, a
/// build's steps and an install's package count as events while they happen.
@Suite struct ProgressReportingTests {
    /// Every event up to and including the first that matches `last`, or all that came within `limit`.
    func events(
        _ stream: AsyncStream<IsolationEvent>, within limit: Duration = .seconds(120),
        until last: @escaping @Sendable (IsolationEvent) -> Bool
    ) async -> [IsolationEvent] {
        await withTaskGroup(of: [IsolationEvent]?.self) { group in
            group.addTask {
                var seen: [IsolationEvent] = []
                for await event in stream {
                    seen.append(event)
                    if last(event) { break }
                }
                return seen
            }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? []
        }
    }

    @Test func durationsSizesAndWidthsReadAsPeopleWriteThem() {
        #expect(ProgressFormat.duration(.milliseconds(850)) == "850ms")
        #expect(ProgressFormat.duration(.milliseconds(12_345)) == "12.3s")
        #expect(ProgressFormat.duration(.seconds(65)) == "1m05s")
        #expect(ProgressFormat.duration(.seconds(7380)) == "2h03m")
        #expect(ProgressFormat.bytes(512) == "512B")
        #expect(ProgressFormat.bytes(3_200) == "3.2kB")
        #expect(ProgressFormat.bytes(45_600_000) == "45.6MB")
        #expect(ProgressFormat.fit("abcdef", width: 4) == "abc…")
        #expect(ProgressFormat.fit("abc", width: 4) == "abc")
        #expect(ProgressFormat.fit("abc", width: 0) == "")
    }

    @Test func aPullsBytesAreSummedOverItsLayersAtEachTenth() throws {
        let tally = PullTally()
        func event(_ layer: String, _ current: Int64, _ total: Int64) throws -> ProgressEvent {
            let json = #"{"status":"Downloading","id":"\#(layer)","progressDetail":{"current":\#(current),"total":\#(total)}}"#
            return try JSONDecoder().decode(ProgressEvent.self, from: Data(json.utf8))
        }
        #expect(try tally.record(event("a", 100, 1_000_000)) == "100B / 1.0MB downloaded")
        #expect(try tally.record(event("a", 5_000, 1_000_000)) == nil)  // still under a tenth
        #expect(try tally.record(event("b", 1_000, 1_000_000)) == nil)  // a second layer raises the total
        #expect(try tally.record(event("a", 300_000, 1_000_000)) == "301.0kB / 2.0MB downloaded")
        #expect(try tally.record(event("b", 1_000_000, 1_000_000)) == "1.3MB / 2.0MB downloaded")
        let milestone = try JSONDecoder().decode(ProgressEvent.self, from: Data(#"{"status":"Pull complete","id":"a"}"#.utf8))
        #expect(tally.record(milestone) == nil)
    }

    @Test func installersSayHowManyPackagesTheyInstalled() {
        let uv = CommandResult(
            exitCode: 0, stdout: Data(), stderr: Data("Resolved 3 packages in 2ms\nInstalled 3 packages in 5ms\n".utf8), durationSeconds: 0,
            timedOut: false)
        #expect(InstallerOutput.installedCount(uv) == 3)
        let pip = CommandResult(
            exitCode: 0, stdout: Data("Successfully installed attrs-23.1.0 six-1.16.0\n".utf8), stderr: Data(), durationSeconds: 0,
            timedOut: false)
        #expect(InstallerOutput.installedCount(pip) == 2)
        let nothing = CommandResult(
            exitCode: 0, stdout: Data(), stderr: Data("Audited 1 package\n".utf8), durationSeconds: 0, timedOut: false)
        #expect(InstallerOutput.installedCount(nothing) == nil)
    }

    @Test(.timeLimit(.minutes(3)))
    func aBuildReportsItsStepsAndItsTimeAndAnInstallItsPackageCount() async throws {
        let home = try TestHome("progress-build")
        let context = home.url.appendingPathComponent("context-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: context, withIntermediateDirectories: true)
        try "FROM \(DockerEngineTests.busybox)\nRUN echo \(UUID().uuidString) > /stamp\nCMD [\"sleep\", \"600\"]\n".write(
            to: context.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
        let wheels = home.url.appendingPathComponent("wheels")
        try FileManager.default.createDirectory(at: wheels, withIntermediateDirectories: true)
        try Wheels.make("ptiso_progress", "1.0.0", in: wheels)
        let manager = try await IsolationManager.open(
            configuration: .init(home: home.url, session: "progress-\(UUID().uuidString.prefix(8))"),
            engines: [VirtualenvEngine(home: home.url), DockerEngine()])

        let stream = manager.events()
        let built = try await manager.create(EnvironmentSpec(build: BuildSpec(context: context.path)))
        let seen = await events(stream) { $0.detail?.hasPrefix("image cache miss: built") ?? false }
        let details = seen.compactMap(\.detail)
        // Each step as the builder announces it (the image cache's labels add steps of their own).
        #expect(
            details.contains { $0.hasPrefix("building \(context.path): Step 1/") && $0.hasSuffix(" : FROM \(DockerEngineTests.busybox)") })
        #expect(details.contains { $0.hasPrefix("building \(context.path): Step 2/") && $0.contains(" : RUN echo ") }, "\(details)")
        let missLine = try #require(details.last)
        // The build's time as a duration people write: "850ms", "2.4s", "1m05s".
        #expect(missLine.range(of: #" in (\d+ms|\d+\.\ds|\d+m\d\ds)$"#, options: .regularExpression) != nil, "\(missLine)")
        try await manager.destroy(built.id)

        let venv = try await manager.create(EnvironmentSpec(engine: .virtualenv))
        let installs = manager.events()
        try await manager.install(venv.id, PackageRequest(requirements: ["ptiso_progress"], findLinks: [wheels.path], offline: true))
        let reported = await events(installs) { $0.kind == .packageInstalled }.compactMap(\.detail)
        #expect(reported.first == "installing 1 requirement", "\(reported)")
        #expect(reported.contains { $0.range(of: #"^installed 1 package in \S+$"#, options: .regularExpression) != nil }, "\(reported)")
        try await manager.destroy(venv.id)

        // A creation that installs says so too, about the environment being made.
        let creating = manager.events()
        let made = try await manager.create(
            EnvironmentSpec(
                requirements: ["ptiso_progress"], findLinks: [wheels.path], offline: true, useTemplateCache: false))
        let steps = await events(creating) { $0.kind == .created }.filter { $0.environment == made.id }.compactMap(\.detail)
        #expect(steps.contains("installing 1 requirement"), "\(steps)")
        #expect(steps.contains { $0.range(of: #"^installed 1 package in \S+$"#, options: .regularExpression) != nil }, "\(steps)")
        try await manager.destroy(made.id)
        await manager.shutdown()
    }
}
