import DockerAPI
public import Foundation
import Synchronization

/// Images the Docker engine built from build contexts, reused while their
/// context is unchanged and evicted least recently used first.
///
/// The cache key is a digest of what a build sends (see ``digest(of:)``).
/// Each cached image carries labels (managed, image cache, its digest, the
/// home), so the daemon alone tells what is cached; a small JSON record per
/// digest under `home/images/` adds use counts and the last use. Several
/// processes share it: one builds a digest under a file lock while the
/// others wait, then reuse its image.
public final class ImageManager: Sendable {
    /// One cached image, as its record file holds it.
    public struct Entry: Codable, Sendable, Hashable {
        /// The context digest: the cache key.
        public var digest: String
        /// The image id (`sha256:…`).
        public var image: String
        /// The tag the image carries, `ptest-iso-cache:<digest prefix>-<home prefix>`.
        public var tag: String
        /// The context directory it was built from.
        public var context: String
        /// The image's size as the daemon reports it (its base layers included).
        public var sizeBytes: Int64
        /// How many environments and jobs used it.
        public var uses: Int
        public var createdAt: Date
        public var lastUsedAt: Date
    }

    /// What a cache lookup found, for the events of whoever asked.
    public struct Outcome: Sendable {
        public var entry: Entry
        public var hit: Bool
    }

    /// The default size budget: 8 GiB.
    public static let defaultMaxBytes: Int64 = 8 << 30

    /// The home the cache belongs to; records and locks live in its `images/` folder.
    public let home: URL
    /// The size budget the cache is trimmed to after each build.
    public let maxBytes: Int64
    private let observer = Mutex<(@Sendable (_ subject: String?, _ detail: String) -> Void)?>(nil)

    public init(home: URL, maxBytes: Int64) {
        self.home = home
        self.maxBytes = maxBytes
    }

    var root: URL { home.appendingPathComponent("images") }
    private func recordURL(_ digest: String) -> URL { root.appendingPathComponent("\(digest).json") }
    private func lockURL(_ digest: String) -> URL { root.appendingPathComponent("\(digest).lock") }

    /// Receives a sentence per cache hit, build and eviction (the manager turns them into events).
    func observe(_ body: @escaping @Sendable (_ subject: String?, _ detail: String) -> Void) {
        observer.withLock { $0 = body }
    }

    func report(_ subject: String?, _ detail: String) {
        observer.withLock { $0 }?(subject, detail)
    }

    /// The labels of a cached image: they let cleanup and a lost record find it from the daemon alone.
    func labels(digest: String) -> [String: String] {
        [
            ResourceLabels.managed: "true", ResourceLabels.imageCache: "true", ResourceLabels.contextDigest: digest,
            ResourceLabels.home: ResourceLabels.homeKey(home),
        ]
    }

    /// The cache key of a build: a hash over every file the daemon would receive (after
    /// `.dockerignore`; path, type, mode, link target and contents, but not times, so a
    /// checkout's fresh timestamps still hit), the Dockerfile's path, the arguments and the target.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming `build.context` when the context cannot be read.
    public static func digest(of build: BuildSpec) throws -> String {
        let entries: [TarArchive.Entry]
        do {
            let tar = try TarArchive.buildContext(directory: build.contextDirectory, dockerfile: build.dockerfile)
            entries = try TarArchive.entries(in: tar)
        } catch {
            throw IsolationError(
                .invalidSpec, field: "build.context", "\(build.context) cannot be read (\(error)); fix its permissions or .dockerignore")
        }
        var material = Data("ptest-iso-build-v1\n".utf8)
        for entry in entries {
            material += Data(
                "\(entry.path)\0\(entry.kind)\0\(String(entry.mode, radix: 8))\0\(entry.linkTarget ?? "")\0\(entry.size)\n".utf8)
            if let contents = entry.contents { material += contents }
        }
        material += Data("dockerfile=\(build.dockerfile)\ntarget=\(build.target ?? "")\n".utf8)
        for (key, value) in build.args.sorted(by: { $0.key < $1.key }) {
            material += Data("arg=\(key)=\(value)\n".utf8)
        }
        return Hash128.hex(material)
    }

    /// The image of `build`: the cached one when its digest is known and the image still
    /// exists, else built now (then the cache is trimmed to its budget).
    ///
    /// - Parameter subject: the environment or job asking, named in the events.
    /// - Throws: ``IsolationError`` — `invalidSpec` for an unreadable context, `ioFailure` with the
    ///   failing step's message when the build fails, `timeout` when it takes longer than `timeout`.
    func image(for build: BuildSpec, subject: String?, client: DockerClient, timeout: Duration = .seconds(3600)) async throws -> Outcome {
        let digest = try Self.digest(of: build)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let lock = try await FileLock.acquire(lockURL(digest), timeout: timeout)
        defer { lock.release() }
        let now = Date()
        if var entry = record(digest), await exists(entry.image, client: client) {
            entry.uses += 1
            entry.lastUsedAt = now
            try save(entry)
            report(subject, "image cache hit: \(entry.tag) for \(build.context)")
            return Outcome(entry: entry, hit: true)
        }
        // The record may be gone while the image is not (a new home path, a deleted folder): adopt it.
        let labelled = try await client.listImages(filters: ["label": labels(digest: digest).map { "\($0.key)=\($0.value)" }.sorted()])
        if let image = labelled.first {
            let entry = Entry(
                digest: digest, image: image.id, tag: tag(digest), context: build.context, sizeBytes: image.size, uses: 1,
                createdAt: now, lastUsedAt: now)
            try save(entry)
            report(subject, "image cache hit: \(entry.tag) for \(build.context) (found by its labels)")
            return Outcome(entry: entry, hit: true)
        }
        let started = ContinuousClock.now
        let built: String
        do {
            built = try await client.buildImage(
                ImageBuildOptions(
                    contextDirectory: build.contextDirectory, dockerfile: build.dockerfile, tags: [tag(digest)], buildArgs: build.args,
                    labels: labels(digest: digest), target: build.target),
                timeout: timeout
            ) { [self] event in
                // The classic builder announces each Dockerfile step as "Step 3/7 : RUN …".
                guard let line = event.stream?.trimmingCharacters(in: .whitespacesAndNewlines), line.hasPrefix("Step ") else { return }
                report(subject, "building \(build.context): \(ProgressFormat.fit(line, width: 160))")
            }
        } catch let error as DockerError where error.code == .streamError {
            throw IsolationError(.ioFailure, "build: building \(build.context) failed: \(error.message); fix the Dockerfile or its context")
        }
        let inspect = try await client.inspectImage(built)
        let entry = Entry(
            digest: digest, image: inspect.id, tag: tag(digest), context: build.context, sizeBytes: inspect.size ?? 0, uses: 1,
            createdAt: now, lastUsedAt: now)
        try save(entry)
        report(
            subject,
            "image cache miss: built \(entry.tag) from \(build.context) in \(ProgressFormat.duration(ContinuousClock.now - started))")
        // Trimming is housekeeping: failing it must not fail the creation that needed this image.
        _ = try? await collect(limit: nil, keeping: digest, client: client)
        return Outcome(entry: entry, hit: false)
    }

    /// The image's tag. It names the home too: homes building the same context make different
    /// images (their labels differ), and a shared tag would leave the other home's image untagged.
    func tag(_ digest: String) -> String { "ptest-iso-cache:\(digest.prefix(16))-\(ResourceLabels.homeKey(home).prefix(8))" }

    private func exists(_ image: String, client: DockerClient) async -> Bool {
        (try? await client.inspectImage(image)) != nil
    }

    private func record(_ digest: String) -> Entry? {
        try? StatePayload.decode(Entry.self, from: Data(contentsOf: recordURL(digest)))
    }

    /// Written whole and renamed into place, so a reader in another process never sees half a record.
    private func save(_ entry: Entry) throws {
        try StatePayload.encode(entry).write(to: recordURL(entry.digest), options: .atomic)
    }

    /// The cached images, least recently used first.
    public func entries() -> [Entry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }
            .compactMap { try? StatePayload.decode(Entry.self, from: Data(contentsOf: root.appendingPathComponent($0))) }
            .sorted { $0.lastUsedAt < $1.lastUsedAt }
    }

    /// Removes least recently used images until the cache fits `limit` (default: ``maxBytes``).
    ///
    /// Skipped, never removed: an image any container uses (running or not), one being
    /// built or looked up right now (its lock is held), and `keeping`. An image already gone
    /// from the daemon only loses its record.
    ///
    /// - Returns: the evicted entries, in eviction order.
    @discardableResult
    func collect(limit: Int64?, keeping: String? = nil, dryRun: Bool = false, client: DockerClient) async throws -> [Entry] {
        let limit = limit ?? maxBytes
        let entries = entries()
        var total = entries.reduce(0) { $0 + $1.sizeBytes }
        guard total > limit else { return [] }
        let used = Set(try await client.listContainers(all: true).compactMap(\.imageID))
        var evicted: [Entry] = []
        for entry in entries where total > limit && entry.digest != keeping && !used.contains(entry.image) {
            guard let lock = FileLock.tryAcquire(lockURL(entry.digest)) else { continue }
            defer { lock.release() }
            if dryRun {
                total -= entry.sizeBytes
                evicted.append(entry)
                continue
            }
            do {
                try await client.removeImage(entry.image)
            } catch let error as DockerError where error.code == .notFound {
                // Removed behind our back: only the record is left to drop.
            } catch let error as DockerError where error.code == .conflict {
                // A container was created from it since the listing: it is in use.
                continue
            }
            try? FileManager.default.removeItem(at: recordURL(entry.digest))
            total -= entry.sizeBytes
            evicted.append(entry)
            report(nil, "image cache evicted \(entry.tag) (\(entry.sizeBytes) bytes, last used \(entry.lastUsedAt))")
        }
        return evicted
    }
}
