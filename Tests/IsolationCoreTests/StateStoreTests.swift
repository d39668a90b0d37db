import Foundation
import IsolationCore
import TestSupport
import Testing

@Suite struct StateStoreTests {
    func environment(_ id: String, status: EnvironmentStatus = .creating, session: String = "s1") -> Environment {
        Environment(
            id: id, engine: .virtualenv, spec: EnvironmentSpec(labels: ["team": "a"]), status: status, session: session,
            labels: ["team": "a"], createdAt: Date(), expiresAt: nil)
    }

    @Test func insertedEnvironmentsAreFoundByIdAndFilter() async throws {
        // Given a store with environments in two sessions
        let store = try StateStore.inMemory()
        try await store.insertEnvironment(environment("e1"), maxLive: 10)
        try await store.insertEnvironment(environment("e2", session: "s2"), maxLive: 10)
        // When we filter by session and label
        let found = try await store.environments(matching: EnvironmentFilter(session: "s1", labels: ["team": "a"]))
        // Then only the matching one comes back, whole
        #expect(found.map(\.id) == ["e1"])
        #expect(try await store.environment("e2")?.session == "s2")
        #expect(try await store.environment("missing") == nil)
    }

    /// GRDB answers a cancelled task before touching the database; the store's accesses are
    /// shielded from it, so what a cancelled operation did (a removal after Ctrl-C) is recorded.
    @Test func aCancelledTaskStillReadsAndWritesItsRecords() async throws {
        let store = try StateStore.inMemory()
        let stored = environment("e1")
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            #expect(Task.isCancelled)
            try await store.insertEnvironment(stored, maxLive: 10)
            try await store.updateEnvironment("e1") { $0.status = .failed }
            return try await store.environment("e1")?.status
        }
        #expect(try await task.value == .failed)
    }

    @Test func theCapCountsOnlyLiveEnvironments() async throws {
        let store = try StateStore.inMemory()
        try await store.insertEnvironment(environment("e1"), maxLive: 2)
        try await store.insertEnvironment(environment("e2", status: .destroyed), maxLive: 2)
        try await store.insertEnvironment(environment("e3"), maxLive: 2)
        let error = await #expect(throws: IsolationError.self) { try await store.insertEnvironment(environment("e4"), maxLive: 2) }
        #expect(error?.code == .capacityExceeded)
        #expect(error?.message.contains("cap is 2") == true)
    }

    @Test func updatesAreAtomicAndCheckTheStateMachine() async throws {
        let store = try StateStore.inMemory()
        try await store.insertEnvironment(environment("e1"), maxLive: 10)
        try await store.updateEnvironment("e1") {
            try $0.status.checkMove(to: .ready, environment: "e1"); $0.status = .ready
        }
        let illegal = await #expect(throws: IsolationError.self) {
            try await store.updateEnvironment("e1") {
                try $0.status.checkMove(to: .creating, environment: "e1"); $0.status = .creating
            }
        }
        #expect(illegal?.code == .illegalTransition)
        #expect(illegal?.message == "environment e1 is ready and cannot become creating")
        // The failed update left the record as it was.
        #expect(try await store.environment("e1")?.status == .ready)
        let missing = await #expect(throws: IsolationError.self) { try await store.updateEnvironment("nope") { _ in } }
        #expect(missing?.code == .notFound)
    }

    /// A store remembers the payloads it wrote so its next change of a record skips decoding it;
    /// a record another process changed since is read from its bytes, not from that memory.
    @Test func aChangeAnotherProcessMadeIsNotLostToWhatThisOneRemembers() async throws {
        let home = try TestHome("store")
        let url = home.url.appendingPathComponent("state.sqlite")
        let one = try await StateStore.open(at: url)
        let other = try await StateStore.open(at: url)
        try await one.insertEnvironment(environment("e1"), maxLive: 10)
        try await one.updateEnvironment("e1") { $0.details["first"] = "one" }
        try await other.updateEnvironment("e1") { $0.details["second"] = "other" }
        let both = try await one.updateEnvironment("e1") { $0.details["third"] = "one" }
        #expect(both.details == ["first": "one", "second": "other", "third": "one"])
        #expect(try await other.environment("e1") == both)
    }

    /// What a change returns without decoding is what reading the record back gives, to the bit.
    @Test func aRememberedRecordIsTheOneItsBytesDecodeTo() async throws {
        let home = try TestHome("store")
        let url = home.url.appendingPathComponent("state.sqlite")
        let one = try await StateStore.open(at: url)
        let other = try await StateStore.open(at: url)
        var record = environment("e1")
        record.createdAt = Date(timeIntervalSince1970: 1_796_531_965.122_015_8)
        record.expiresAt = record.createdAt.addingTimeInterval(0.1 + 0.2)
        record.location = "/tmp/ä/env"
        record.spec.image = "ptest-iso-test/postgres:bookworm"
        record.spec.ports = [5432, 8080]
        record.spec.ttlSeconds = 0.1 + 0.2
        record.spec.environment = ["PGPASSWORD": "ü\u{0}x", "EMPTY": ""]
        record.spec.requirements = ["bench-one>=1.0", "bench-two"]
        record.spec.waitFor = [.log(pattern: "ready to accept", times: 2), .tcp(port: 5432), .health]
        record.spec.healthcheck = HealthcheckSpec(test: ["CMD", "pg_isready"], intervalSeconds: 0.5, retries: 3)
        record.spec.readyTimeoutSeconds = 1e-3
        try await one.insertEnvironment(record, maxLive: 10)
        let changed = try await one.updateEnvironment("e1") {
            $0.status = .ready; $0.details["template"] = "t\u{1F600}"
        }
        let again = try await one.updateEnvironment("e1") { _ in }
        #expect(again == changed)
        #expect(try await other.environment("e1") == changed)
    }

    /// Another process holding the write lock is waited for, not failed on: the change made
    /// after it commits reads what that process wrote in its transaction.
    @Test func aWriteWaitsForAnotherProcessHoldingTheLock() async throws {
        let home = try TestHome("store")
        let url = home.url.appendingPathComponent("state.sqlite")
        let store = try await StateStore.open(at: url)
        try await store.insertEnvironment(environment("e1"), maxLive: 10)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = [
            "python3", "-c",
            """
            import sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            db.execute("UPDATE environment SET payload = json_set(payload, '$.details.holder', 'python') WHERE id = 'e1'")
            print("held", flush=True)
            time.sleep(0.3)
            db.execute("COMMIT")
            """,
            url.path,
        ]
        let output = Pipe()
        holder.standardOutput = output
        try holder.run()
        defer { holder.waitUntilExit() }
        let said = try #require(try output.fileHandleForReading.read(upToCount: 5))
        #expect(String(decoding: said, as: UTF8.self) == "held\n")
        let changed = try await store.updateEnvironment("e1") { $0.details["after"] = "swift" }
        #expect(changed.details == ["holder": "python", "after": "swift"])
    }

    @Test func everyStatusMoveIsEitherAllowedOrAnError() {
        let allowed: Set<String> = [
            "creating>ready", "creating>failed", "creating>destroying", "ready>running", "ready>stopped", "ready>destroying",
            "ready>failed", "running>stopped", "running>ready", "running>destroying", "running>failed", "stopped>running",
            "stopped>destroying", "stopped>failed", "failed>destroying", "destroying>destroyed", "destroying>failed",
            "ready>paused", "running>paused", "paused>running", "paused>destroying", "paused>failed",
        ]
        for from in EnvironmentStatus.allCases {
            for to in EnvironmentStatus.allCases {
                #expect(from.canMove(to: to) == allowed.contains("\(from.rawValue)>\(to.rawValue)"), "\(from) -> \(to)")
            }
        }
    }
}

@Suite struct SpecTests {
    @Test(arguments: [
        (EnvironmentSpec(python: "three"), "python: 'three'"),
        (EnvironmentSpec(python: " "), "python: empty"),
        (EnvironmentSpec(requirements: ["ok", " "]), "requirements[1]: empty"),
        (EnvironmentSpec(ttlSeconds: -5), "ttl_seconds: -5.0"),
        (EnvironmentSpec(ttlSeconds: 1e300), "ttl_seconds: 1e+300 must be a positive number of seconds, at most 365 days"),
        (EnvironmentSpec(name: String(repeating: "n", count: 5000)), "name: 5000 bytes long; at most 128"),
        (EnvironmentSpec(image: "busybox", resources: ResourceLimits(cpus: "1.5m")), "resources.cpus: '1.5m' is below"),
        (EnvironmentSpec(engine: .docker), "image: required"),
        (EnvironmentSpec(requirements: ["x"], offline: true), "offline: true needs find_links"),
        (EnvironmentSpec(labels: ["ptest-iso.session": "x"]), "labels: key 'ptest-iso.session'"),
        (EnvironmentSpec(environment: ["A=B": "c"]), "environment: variable name 'A=B'"),
        (EnvironmentSpec(image: "busybox", ports: [8080, 80, 8080]), "ports[2]: 8080 is listed twice"),
        (EnvironmentSpec(image: "busybox", ports: [70000]), "ports[0]: 70000 is not a port"),
    ])
    func badSpecsNameTheField(spec: EnvironmentSpec, field: String) throws {
        let error = #expect(throws: IsolationError.self) { try spec.validate() }
        #expect(error?.code == .invalidSpec)
        #expect(error?.message.hasPrefix(field) == true, "\(error?.message ?? "")")
        // The field also travels as data (the C ABI's `details.field`).
        #expect(error?.field.map { field.hasPrefix($0 + ":") } == true, "\(String(describing: error?.field))")
    }

    @Test func aJSONSpecNeedsOnlyTheFieldsItUses() async throws {
        let spec = try JSONDecoder().decode(EnvironmentSpec.self, from: Data(#"{"python": "3.11", "requirements": ["a"]}"#.utf8))
        #expect(spec.python == "3.11")
        #expect(spec.cleanup == .endOfSession)
        #expect(spec.useTemplateCache)
        #expect(spec.labels.isEmpty)
    }

    @Test(arguments: [
        ("3.11", [3, 11, 7], true), ("3.11", [3, 12, 0], false), ("3.11.7", [3, 11, 7], true), ("3.11.7", [3, 11, 2], false),
        (">=3.10", [3, 11, 2], true), (">=3.12", [3, 11, 9], false), (">=3.10,<3.12", [3, 11, 0], true),
        (">=3.10,<3.12", [3, 12, 0], false), ("<=3.11", [3, 11, 9], true), (">3.11", [3, 11, 9], false), (">3.11", [3, 12, 0], true),
        ("!=3.11", [3, 12, 1], true), ("==3.11", [3, 11, 1], true),
    ])
    func versionRequestsMatchLikeUsersMeanThem(request: String, version: [Int], expected: Bool) throws {
        #expect(try PythonVersionRequest(request).matches(version) == expected)
    }

    @Test func engineChoiceFollowsTheSpecAndSaysWhy() async throws {
        let home = try TestHome("choice")
        let manager = try home.manager()
        let plain = try manager.chooseEngine(for: EnvironmentSpec())
        #expect(plain.engine == .virtualenv)
        #expect(plain.reason.contains("default"))
        let withPackages = try manager.chooseEngine(for: EnvironmentSpec(requirements: ["x"]))
        #expect(withPackages.reason.contains("packages (requirements)"))
        // Only Docker provides images and limits; it is not registered here.
        let image = #expect(throws: IsolationError.self) { try manager.chooseEngine(for: EnvironmentSpec(image: "busybox")) }
        #expect(image?.code == .engineUnavailable)
        #expect(image?.message.contains("container_images (for image)") == true)
        let forced = #expect(throws: IsolationError.self) {
            try manager.chooseEngine(for: EnvironmentSpec(engine: .virtualenv, resources: ResourceLimits(memory: "512m")))
        }
        #expect(forced?.code == .invalidSpec)
        #expect(forced?.message.hasPrefix("resources:") == true)
    }
}
