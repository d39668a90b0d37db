import Foundation
import FuzzTargets
import IsolationCore
import Testing

/// The compose files in `Tests/ComposeCorpus`: each loads, and mutations of them never crash
/// or hang the loader.
struct ComposeCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("ComposeCorpus")

    /// Every project folder, by name.
    static let projects: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? []
        return names.filter { (try? FileManager.default.contentsOfDirectory(atPath: folder($0).path))?.contains("compose.yaml") == true }
            .sorted()
    }()

    static func folder(_ name: String) -> URL {
        corpus.appendingPathComponent(name)
    }

    /// `compose.yaml`, then `compose.override.yaml` when the folder has one.
    static func files(of project: String) -> [String] {
        ["compose.yaml", "compose.override.yaml"].map { folder(project).appendingPathComponent($0).path }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    @Test func theCorpusHasAtLeastTwentyProjects() {
        #expect(Self.projects.count >= 20, "\(Self.projects)")
    }

    @Test(arguments: projects)
    func everyCorpusFileLoads(project: String) throws {
        let loaded = try ComposeLoader.load(files: Self.files(of: project), environment: ["HOME": "/home/ci"], profiles: ["*"])
        #expect(!loaded.services.isEmpty)
        let images = Set(loaded.services.compactMap(\.image)).filter { !$0.hasPrefix("example/") }
        let local: Set = ["ptest-iso-test/busybox:latest", "ptest-iso-test/postgres:bookworm", "ptest-iso-test/redis:bookworm"]
        #expect(images.isSubset(of: local), "\(images)")
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
    }

    @Test func corpusFilesLoadAsExpected() throws {
        let envFiles = try ComposeLoader.load(files: Self.files(of: "env-files"), environment: ["APP_PORT": "9999"])
        let app = try #require(envFiles.service("app"))
        #expect(app.environment["APP_ENV"] == "test" && app.environment["TZ"] == "UTC" && app.environment["LANG"] == "C.UTF-8")
        #expect(app.environment["SECRET_KEY"] == "not-a-real-$ecret" && app.environment["WORKERS"] == "2")
        #expect(app.environment["LOG_LEVEL"] == nil)
        #expect(app.ports == [ComposePort(target: 8080, published: 9999)])
        #expect(envFiles.service("db")?.ports == [ComposePort(target: 5432, published: 15432)])

        let override = try ComposeLoader.load(files: Self.files(of: "override"), environment: [:])
        let web = try #require(override.service("web"))
        #expect(web.environment == ["MODE": "development", "WORKERS": "4", "DEBUG": "1"])
        #expect(web.ports.count == 2 && web.volumes.count == 2 && web.dependsOn == ["redis": .serviceStarted])

        let anchors = try ComposeLoader.load(files: Self.files(of: "anchors"), environment: [:])
        #expect(anchors.service("api")?.environment == ["TZ": "UTC", "LOG_FORMAT": "json", "SERVICE": "api"])
        #expect(anchors.service("scheduler")?.healthcheck?.intervalSeconds == 30)
        #expect(anchors.service("scheduler")?.healthcheck?.retries == 3)

        let profiles = try ComposeLoader.load(files: Self.files(of: "profiles"), environment: [:])
        #expect(profiles.services.map(\.name) == ["app", "db"])
        let seed = try ComposeLoader.load(files: Self.files(of: "profiles"), environment: [:], profiles: ["seed"])
        #expect(seed.services.map(\.name) == ["app", "db", "seed"])
    }

    @Test func adaptedProjectsLoadAsTheirOriginalsMeanThem() throws {
        // Interpolation: `.env` under the caller, a default, a required variable, `$$`, a `name:`.
        let keycloak = try ComposeLoader.load(files: Self.files(of: "keycloak-postgres"), environment: ["KC_DB_NAME": "sso"])
        let sso = try #require(keycloak.service("keycloak"))
        #expect(keycloak.name == "keycloak")
        #expect(sso.environment["KC_DB_URL"] == "jdbc:postgresql://postgres:5432/sso" && sso.environment["KC_DB_USERNAME"] == "keycloak")
        #expect(sso.environment["KC_DB_PASSWORD"] == "password" && sso.environment["KEYCLOAK_ADMIN_PASSWORD"] == "$not-interpolated")
        #expect(
            keycloak.service("postgres")?.environment == [
                "POSTGRES_USER": "keycloak", "POSTGRES_PASSWORD": "password", "POSTGRES_DB": "sso",
            ])

        // Builds: a target stage and args per service, one environment list shared by an anchor.
        let django = try ComposeLoader.load(files: Self.files(of: "django-celery"), environment: [:])
        let web = try #require(django.service("web")?.build)
        #expect(web.target == "web" && web.args == ["APP_VERSION": "0.1.0"] && web.dockerfile == "Dockerfile")
        #expect(web.context == Self.folder("django-celery").appendingPathComponent("project").path)
        #expect(django.service("celery")?.build?.target == "worker")
        #expect(django.service("celery")?.environment == django.service("web")?.environment)

        // A folded entrypoint is split as a shell splits it, the quoted script kept whole.
        let minio = try ComposeLoader.load(files: Self.files(of: "minio-buckets"), environment: [:])
        let entrypoint = try #require(minio.service("createbuckets")?.entrypoint)
        #expect(entrypoint.count == 3 && entrypoint[0] == "/bin/sh" && entrypoint[1] == "-c")
        #expect(entrypoint[2].contains("mkdir -p /data/mybucket;"))
        #expect(minio.service("app")?.dependsOn == ["createbuckets": .serviceCompletedSuccessfully])

        // `$$` in labels, an active profile over two files, hardening keys.
        let traefik = try ComposeLoader.load(files: Self.files(of: "traefik-whoami"), environment: [:])
        #expect(
            traefik.service("whoami")?.labels["traefik.http.middlewares.auth.basicauth.users"]
                == "test:$apr1$H6uskkkW$IgXLP6ewTrSuBkTrqE8wj/")
        let debug = try ComposeLoader.load(files: Self.files(of: "profiles-debug"), environment: [:], profiles: ["debug"])
        #expect(debug.services.map(\.name).sorted() == ["backend", "db", "frontend", "phpmyadmin"])
        #expect(debug.service("phpmyadmin")?.ports == [ComposePort(target: 80, published: 20084)])
        let hardened = try #require(try ComposeLoader.load(files: Self.files(of: "hardened-web"), environment: [:]).service("web"))
        #expect(hardened.readOnly && hardened.capDrop == ["ALL"] && hardened.runInit == true && hardened.user == "65534:65534")
        #expect(hardened.extraHosts == ["api.internal:10.20.0.5", "host.docker.internal:host-gateway"])
    }

    /// Five hundred random mutations of the corpus files, each loaded: the loader must return
    /// a project or throw an `IsolationError`, never crash.
    @Test func mutatedCorpusFilesReturnOrThrowIsolationErrors() throws {
        let fixture = try ComposeFixture([:])
        defer { fixture.remove() }
        var random = SplitMix64(seed: 12)
        let sources = try Self.projects.map {
            try String(contentsOf: Self.folder($0).appendingPathComponent("compose.yaml"), encoding: .utf8)
        }
        // A fixed count, not a time budget: the time-bounded fuzzing is scripts/fuzz-compose.sh's.
        var loaded = 0
        var refused = 0
        for iteration in 0..<500 {
            var text = sources[Int(random.next() % UInt64(sources.count))]
            for _ in 0...(random.next() % 4) { text = ComposeMutation.apply(to: text, using: &random) }
            try fixture.write("compose.yaml", text)
            do {
                _ = try fixture.load("compose.yaml", environment: ["HOME": "/home/ci"], profiles: ["*"])
                loaded += 1
            } catch is IsolationError {
                refused += 1
            } catch {
                Issue.record("iteration \(iteration): not an IsolationError: \(error)\n\(text)")
            }
        }
        #expect(loaded + refused == 500)
        #expect(loaded > 0 && refused > 0, "loaded \(loaded), refused \(refused)")
    }
}

/// Small random edits of a compose file's text, aimed at YAML's and Compose's syntax.
enum ComposeMutation {
    static let fragments = [
        ":", " ", "-", "- ", "\n", "  ", "[", "]", "{", "}", ",", "'", "\"", "*a", "&a ", "<<: ", "$", "${", "}", "${X:-",
        "${X:?e}", "$$", "#", "|", ">", "~", "null", "!!str ", "0", "65536", "-1", "1e9", "::", "/udp", "\t", "\\", "?", "%",
        "é", "\u{0}", "x-", "ro", ":ro", "1m", "ms", "9999999999999999999999",
    ]

    static func apply(to text: String, using random: inout SplitMix64) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { return fragments.randomElement(using: &random)! }
        let index = Int(random.next() % UInt64(lines.count))
        switch random.next() % 7 {
        case 0:
            lines.remove(at: index)
        case 1:
            lines.insert(lines[index], at: Int(random.next() % UInt64(lines.count)))
        case 2:
            lines[index] = String(repeating: " ", count: Int(random.next() % 3)) + lines[index]
        case 3:
            lines[index] = String(lines[index].dropFirst(Int(random.next() % 3)))
        case 4:
            var line = Array(lines[index])
            let position = line.isEmpty ? 0 : Int(random.next() % UInt64(line.count + 1))
            line.insert(contentsOf: fragments.randomElement(using: &random)!, at: position)
            lines[index] = String(line)
        case 5:
            var line = Array(lines[index])
            if !line.isEmpty {
                let start = Int(random.next() % UInt64(line.count))
                line.removeSubrange(start..<min(line.count, start + 1 + Int(random.next() % 6)))
            }
            lines[index] = String(line)
        default:
            lines.swapAt(index, Int(random.next() % UInt64(lines.count)))
        }
        return lines.joined(separator: "\n")
    }
}
