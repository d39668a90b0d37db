import DockerAPI
import Foundation
import Synchronization
import TestSupport
import Testing

@testable import IsolationCore

/// Build contexts and the image cache, against the real daemon: images are built
/// FROM the local busybox test image, so no registry is needed.
@Suite struct DockerImageCacheTests {
    static let session = "docker-image-cache-tests"

    func manager(_ home: borrowing TestHome) throws -> IsolationManager {
        try IsolationManager(
            configuration: .init(home: home.url, session: Self.session),
            engines: [DockerEngine(images: ImageManager(home: home.url, maxBytes: 1 << 30))])
    }

    /// A context whose image holds `greeting` in /greeting.txt; `ignored.txt` is left out by `.dockerignore`.
    func context(_ home: borrowing TestHome, _ name: String, greeting: String) throws -> URL {
        let directory = home.url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data("FROM \(DockerEngineTests.busybox)\nCOPY greeting.txt /greeting.txt\n".utf8)
            .write(to: directory.appendingPathComponent("Dockerfile"))
        try Data("ignored.txt\n".utf8).write(to: directory.appendingPathComponent(".dockerignore"))
        try Data(greeting.utf8).write(to: directory.appendingPathComponent("greeting.txt"))
        try Data("not sent\n".utf8).write(to: directory.appendingPathComponent("ignored.txt"))
        return directory
    }

    func greeting(_ manager: IsolationManager, _ id: String) async throws -> String {
        try await manager.run(id, Command(["cat", "/greeting.txt"])).stdoutText
    }

    @Test func anUnchangedContextIsAHitAndAChangedFileAMiss() async throws {
        let home = try TestHome("image-cache-hit")
        let manager = try manager(home)
        let directory = try context(home, "app", greeting: "hello\n")
        let events = manager.events()
        let spec = EnvironmentSpec(build: BuildSpec(context: directory.path))

        let first = try await manager.create(spec)
        #expect(first.details["image_cache"] == "miss")
        #expect(try await greeting(manager, first.id) == "hello\n")
        let second = try await manager.create(spec)
        #expect(second.details["image_cache"] == "hit")
        #expect(second.details["image_id"] == first.details["image_id"])
        // A file .dockerignore leaves out is not part of the context: still a hit.
        try Data("changed\n".utf8).write(to: directory.appendingPathComponent("ignored.txt"))
        #expect(try await manager.create(spec).details["image_cache"] == "hit")

        try Data("changed\n".utf8).write(to: directory.appendingPathComponent("greeting.txt"))
        let changed = try await manager.create(spec)
        #expect(changed.details["image_cache"] == "miss")
        #expect(changed.details["image_id"] != first.details["image_id"])
        #expect(try await greeting(manager, changed.id) == "changed\n")

        // The hit is an event about the environment that got it.
        let hitEvent = await firstEvent(in: events) { $0.kind == .progress && $0.detail?.hasPrefix("image cache hit") == true }
        #expect(hitEvent?.environment == second.id)
        let cached = manager.cachedImages()
        #expect(cached.count == 2)
        #expect(cached.first { $0.image == first.details["image_id"] }?.uses == 3)
        // The CLI lists the same cache.
        struct Listed: Decodable { var images: [ImageManager.Entry] }
        let listed = try CLI.run(["cache", "--json", "--home", home.url.path])
        #expect(listed.status == 0, "\(listed.output)")
        let images = try JSONDecoder.seconds.decode(Listed.self, from: Data(listed.stdout.utf8)).images
        #expect(images.map(\.image) == cached.map(\.image) && images.map(\.uses) == cached.map(\.uses))
        #expect(try CLI.run(["cache", "--home", home.url.path]).stdout.contains(directory.path))

        try await manager.destroySession()
        #expect(try await manager.gc(limit: 0).count == 2)
        #expect(manager.cachedImages().isEmpty)
    }

    @Test func aSnapshotOfABuiltEnvironmentRestoresFromItsImage() async throws {
        let home = try TestHome("image-cache-snapshot")
        let manager = try manager(home)
        let directory = try context(home, "app", greeting: "snap\n")
        let environment = try await manager.create(EnvironmentSpec(build: BuildSpec(context: directory.path)))
        _ = try await manager.run(environment.id, Command(["sh", "-c", "echo later > /later.txt"]))
        let snapshot = try await manager.snapshot(environment.id, name: "built-\(environment.id)")
        let restored = try await manager.restore(snapshot.id)
        let inside = try await manager.run(restored.id, Command(["cat", "/greeting.txt", "/later.txt"]))
        #expect(inside.stdoutText == "snap\nlater\n")
        try await manager.destroySession()
        try await manager.deleteSnapshot(snapshot.id)
        try await manager.gc(limit: 0)
    }

    @Test func aLostRecordIsFoundByLabelsAndARemovedImageIsRebuilt() async throws {
        let home = try TestHome("image-cache-lost")
        let manager = try manager(home)
        let directory = try context(home, "app", greeting: "again\n")
        let spec = EnvironmentSpec(build: BuildSpec(context: directory.path))
        let first = try await manager.create(spec)
        try await manager.destroy(first.id)
        let digest = try #require(first.details["context_digest"])
        try FileManager.default.removeItem(at: home.url.appendingPathComponent("images/\(digest).json"))
        let adopted = try await manager.create(spec)
        #expect(adopted.details["image_cache"] == "hit")
        #expect(adopted.details["image_id"] == first.details["image_id"])
        try await manager.destroy(adopted.id)
        // Removed behind the cache's back (e.g. `docker image prune -a`): built again.
        let imageId = try #require(first.details["image_id"])
        _ = try await withDockerClient(try .fromEnvironment()) { try await $0.removeImage(imageId, force: true) }
        let rebuilt = try await manager.create(spec)
        #expect(rebuilt.details["image_cache"] == "miss")
        #expect(try await greeting(manager, rebuilt.id) == "again\n")
        try await manager.destroySession()
        try await manager.gc(limit: 0)
    }

    /// Docker's classic builder fails a build with "unable to find image" when another child of
    /// the same base image is removed while it scans them for a cached step, as parallel workers
    /// trimming their caches do (seen in CI). The client builds such a build again.
    @Test func buildsSucceedWhileSiblingImagesAreRemoved() async throws {
        let home = try TestHome("image-cache-siblings")
        let manager = try manager(home)
        let contexts = try (0..<6).map { try context(home, "app-\($0)", greeting: "\($0)\n") }
        let repository = "ptest-iso-test/sibling-\(home.url.lastPathComponent.suffix(8).lowercased())"
        let tags = (0..<100).map { "\(repository):\($0)" }
        let outcomes = try await withDockerClient(try .fromEnvironment()) { client in
            // Commits of a never-started container: direct children of the base image, made
            // without a build (whose own scan would race the other tests' removals).
            var spec = ContainerSpec(image: DockerEngineTests.busybox)
            spec.labels = ["ptest-iso.test": "1"]
            let container = try await client.createContainer(spec).id
            do {
                for index in tags.indices {
                    _ = try await client.commitContainer(
                        container,
                        options: CommitOptions(repository: repository, tag: "\(index)", pause: false, labels: ["ptest-iso.test": "1"]))
                }
            } catch {
                _ = try? await client.removeContainer(container, force: true)
                for tag in tags { _ = try? await client.removeImage(tag) }
                throw error
            }
            try await client.removeContainer(container, force: true)
            // Four removers, one sibling at a time, and parallel builds at once: the builds'
            // scans meet removals, as they would meet another worker trimming its cache.
            return await withTaskGroup(of: [Result<String?, any Error>].self) { group in
                for remover in 0..<4 {
                    group.addTask {
                        for tag in stride(from: remover, to: tags.count, by: 4).map({ tags[$0] }) {
                            _ = try? await client.removeImage(tag)
                            try? await Task.sleep(for: .milliseconds(5))
                        }
                        return []
                    }
                }
                for context in contexts {
                    group.addTask {
                        do {
                            let environment = try await manager.create(EnvironmentSpec(build: BuildSpec(context: context.path)))
                            return [.success(environment.details["image_cache"])]
                        } catch {
                            return [.failure(error)]
                        }
                    }
                }
                return await group.reduce(into: []) { $0 += $1 }
            }
        }
        try await manager.destroySession()
        try await manager.gc(limit: 0)
        for outcome in outcomes {
            #expect(try outcome.get() == "miss")
        }
    }

    @Test func aBuildTrimsTheCacheToItsBudget() async throws {
        let home = try TestHome("image-cache-budget")
        // A budget smaller than any image: each build evicts every other unused image.
        let manager = try await IsolationManager.open(
            configuration: .init(home: home.url, session: Self.session),
            engines: [DockerEngine(images: ImageManager(home: home.url, maxBytes: 1))])
        let events = manager.events()
        let old = try await manager.create(EnvironmentSpec(build: BuildSpec(context: try context(home, "old", greeting: "old\n").path)))
        try await manager.destroy(old.id)
        let new = try await manager.create(EnvironmentSpec(build: BuildSpec(context: try context(home, "new", greeting: "new\n").path)))
        #expect(manager.cachedImages().map(\.image) == [new.details["image_id"]])
        let evicted = await firstEvent(in: events) { $0.detail?.hasPrefix("image cache evicted") == true }
        #expect(evicted?.detail?.contains(old.details["image"] ?? "?") == true)
        try await manager.destroySession()
        try await manager.gc(limit: 0)
    }

    @Test func twoHomesBuildingOneContextEachKeepAndEvictTheirOwnImage() async throws {
        let homeA = try TestHome("image-cache-home-a")
        let homeB = try TestHome("image-cache-home-b")
        let (a, b) = (try manager(homeA), try manager(homeB))
        // The same context, byte for byte, in two places.
        let spec = EnvironmentSpec(build: BuildSpec(context: try context(homeA, "app", greeting: "same\n").path))
        let fromA = try await a.create(spec)
        let fromB = try await b.create(spec)
        #expect(fromA.details["context_digest"] == fromB.details["context_digest"])
        #expect(fromA.details["image"] != fromB.details["image"])
        try await a.destroySession()
        try await b.destroySession()
        let images = try await withDockerClient(try .fromEnvironment()) { client in
            (
                try await client.inspectImage(fromA.details["image_id"] ?? "?"),
                try await client.inspectImage(fromB.details["image_id"] ?? "?")
            )
        }
        // B's build left A's image its tag, so nothing dangles and each home evicts its own.
        #expect(images.0.repoTags == [fromA.details["image"] ?? "?"])
        #expect(images.1.repoTags == [fromB.details["image"] ?? "?"])
        #expect(try await a.gc(limit: 0).map(\.image) == [fromA.details["image_id"]])
        #expect(try await b.gc(limit: 0).map(\.image) == [fromB.details["image_id"]])
    }

    @Test func concurrentCreatorsOfOneContextBuildItOnce() async throws {
        let home = try TestHome("image-cache-race")
        let directory = try context(home, "app", greeting: "once\n")
        // Two managers on one home stand for two pytest-xdist workers: they share the lock files.
        let managers = [try manager(home), try manager(home)]
        let outcomes = try await withThrowingTaskGroup(of: String?.self) { group in
            for manager in managers {
                group.addTask {
                    try await manager.create(EnvironmentSpec(build: BuildSpec(context: directory.path))).details["image_cache"]
                }
            }
            var outcomes: [String?] = []
            for try await outcome in group { outcomes.append(outcome) }
            return outcomes
        }
        #expect(outcomes.compactMap { $0 }.sorted() == ["hit", "miss"])
        try await managers[0].destroySession()
        try await managers[0].gc(limit: 0)
    }

    @Test func evictionTakesTheLeastRecentlyUsedUnusedImageFirstAndNeverOneInUse() async throws {
        let home = try TestHome("image-cache-lru")
        let manager = try manager(home)
        func build(_ name: String) async throws -> Environment {
            let directory = try context(home, name, greeting: "\(name)\n")
            return try await manager.create(EnvironmentSpec(build: BuildSpec(context: directory.path)))
        }
        // Used in this order: a (its container stays), b, c. So a is the least recently used.
        let a = try await build("a")
        let b = try await build("b")
        try await manager.destroy(b.id)
        let c = try await build("c")
        try await manager.destroy(c.id)
        let total = manager.cachedImages().reduce(0) { $0 + $1.sizeBytes }

        // A dry run names what would go and removes nothing.
        #expect(try await manager.gc(limit: 0, dryRun: true).map(\.image) == [b.details["image_id"], c.details["image_id"]])
        #expect(manager.cachedImages().count == 3)
        // One image over budget: a is in use, so b goes.
        let first = try await manager.gc(limit: total - 1)
        #expect(first.map(\.image) == [b.details["image_id"]])
        // No budget at all: c goes, a still stays.
        let second = try await manager.gc(limit: 0)
        #expect(second.map(\.image) == [c.details["image_id"]])
        #expect(manager.cachedImages().map(\.image) == [a.details["image_id"]])

        try await manager.destroy(a.id)
        #expect(try await manager.gc(limit: 0).map(\.image) == [a.details["image_id"]])
        let left = try await withDockerClient(try .fromEnvironment()) { client in
            try await client.listImages(filters: [
                "label": ["ptest-iso.image-cache=true", "ptest-iso.home=\(a.labels["ptest-iso.home"] ?? "")"]
            ])
        }
        #expect(left.isEmpty)
    }

    @Test func buildFieldsAreCheckedAndNamed() async throws {
        let home = try TestHome("image-cache-bad")
        let manager = try manager(home)
        let relative = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(build: BuildSpec(context: "app")))
        }
        #expect(relative?.message.hasPrefix("build.context: 'app' is a relative path") == true)
        let missing = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(build: BuildSpec(context: home.url.appendingPathComponent("nope").path)))
        }
        #expect(missing?.message.hasPrefix("build.context:") == true)
        let directory = try context(home, "app", greeting: "x\n")
        let both = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(image: DockerEngineTests.busybox, build: BuildSpec(context: directory.path)))
        }
        #expect(both?.message.hasPrefix("build: given together with image") == true)
        let dockerfile = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(build: BuildSpec(context: directory.path, dockerfile: "Nope")))
        }
        #expect(dockerfile?.message.hasPrefix("build.dockerfile: 'Nope' does not exist") == true)
        // A failing step names the build and carries the daemon's words.
        try Data("FROM \(DockerEngineTests.busybox)\nRUN exit 7\n".utf8).write(to: directory.appendingPathComponent("Failing"))
        let failing = await #expect(throws: IsolationError.self) {
            try await manager.create(EnvironmentSpec(build: BuildSpec(context: directory.path, dockerfile: "Failing")))
        }
        #expect(failing?.message.hasPrefix("build: building \(directory.path) failed") == true)
    }

    @Test func argsAndTargetArePartOfTheBuildAndItsKey() async throws {
        let home = try TestHome("image-cache-args")
        let manager = try manager(home)
        let directory = home.url.appendingPathComponent("stages")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(
            """
            FROM \(DockerEngineTests.busybox) AS base
            ARG FLAVOUR=plain
            RUN echo "base $FLAVOUR" > /stage.txt
            FROM base AS final
            RUN echo final >> /stage.txt
            """.utf8
        ).write(to: directory.appendingPathComponent("Dockerfile"))
        func stage(_ build: BuildSpec) async throws -> (String, String?) {
            let environment = try await manager.create(EnvironmentSpec(build: build))
            return (try await manager.run(environment.id, Command(["cat", "/stage.txt"])).stdoutText, environment.details["image_cache"])
        }
        let plain = try await stage(BuildSpec(context: directory.path))
        #expect(plain.0 == "base plain\nfinal\n")
        let spicy = try await stage(BuildSpec(context: directory.path, args: ["FLAVOUR": "spicy"], target: "base"))
        #expect(spicy.0 == "base spicy\n")
        #expect(spicy.1 == "miss")
        #expect(try await stage(BuildSpec(context: directory.path, args: ["FLAVOUR": "spicy"], target: "base")).1 == "hit")
        try await manager.destroySession()
        try await manager.gc(limit: 0)
    }

    @Test func anImageCollectedBetweenItsLookupAndItsUseIsBuiltAgain() async throws {
        let home = try TestHome("image-race")
        let manager = try manager(home)
        let spec = EnvironmentSpec(build: BuildSpec(context: try context(home, "raced", greeting: "raced\n").path))
        let first = try await manager.create(spec)
        try await manager.destroy(first.id)
        let removals = Mutex(0)
        // As another process's gc would: the image goes right after this creation found it.
        let second = try await DockerEngine.$imageResolved.withValue({ image in
            guard
                removals.withLock({
                    $0 += 1; return $0 == 1
                })
            else { return }
            _ = try? await withDockerClient(try .fromEnvironment()) { try await $0.removeImage(image, force: true) }
        }) {
            try await manager.create(spec)
        }
        #expect(removals.withLock { $0 } == 2, "the creation looked the image up again")
        #expect(try await manager.run(second.id, Command(["cat", "/greeting.txt"])).stdoutText == "raced\n")
        try await manager.destroy(second.id)
        try await manager.gc(limit: 0)
    }
}
