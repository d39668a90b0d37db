import Foundation
import IsolationCore
import Testing

/// Bad compose files: each error names the file, the line and the key path.
struct ComposeLoaderErrorTests {
    /// Loads `text` as `compose.yaml` and returns the error's message with the directory cut off.
    func message(_ text: String, files: [String: String] = [:], environment: [String: String] = [:]) throws -> String {
        let fixture = try ComposeFixture(files.merging(["compose.yaml": text]) { _, new in new })
        defer { fixture.remove() }
        let error = fixture.error("compose.yaml", environment: environment)
        #expect(error?.code == .invalidSpec)
        #expect(error?.field == "compose")
        return (error?.message ?? "").replacingOccurrences(of: fixture.directory + "/", with: "")
    }

    @Test func anUnknownKeyNamesTheClosestKnownOne() throws {
        let text = "services:\n  web:\n    imgae: x\n"
        #expect(try message(text) == "compose: compose.yaml:3: services.web.imgae: unknown key 'imgae'; did you mean 'image'?")
        let top = try message("services: {}\nnetwork: {}\n")
        #expect(top == "compose: compose.yaml:2: network: unknown key 'network'; did you mean 'networks'?")
    }

    @Test func anUnsupportedComposeKeySaysSo() throws {
        let text = "services:\n  web:\n    image: x\n    container_name: web\n"
        #expect(
            try message(text).hasPrefix(
                "compose: compose.yaml:4: services.web.container_name: 'container_name' is a Compose key that ptest-iso does not support"))
    }

    @Test func badValuesNameTheirPath() throws {
        let ports = "services:\n  web:\n    image: x\n    ports:\n      - 80\n      - \"abc:80\"\n"
        #expect(try message(ports).hasPrefix("compose: compose.yaml:6: services.web.ports[1]: 'abc:80' has no valid published port"))
        let duration = "services:\n  web:\n    image: x\n    healthcheck:\n      test: true\n      interval: 10\n"
        #expect(try message(duration).hasPrefix("compose: compose.yaml:6: services.web.healthcheck.interval: '10' is not a duration"))
        let condition = "services:\n  a:\n    image: x\n    depends_on:\n      b:\n        condition: service_healty\n  b:\n    image: x\n"
        #expect(try message(condition).hasSuffix("did you mean 'service_healthy'?"))
        let size = "services:\n  a:\n    image: x\n    mem_limit: lots\n"
        #expect(try message(size).hasPrefix("compose: compose.yaml:4: services.a.mem_limit: 'lots' is not a size"))
    }

    @Test func dependenciesMustExistAndFormNoCycle() throws {
        let unknown = "services:\n  web:\n    image: x\n    depends_on: [dbb]\n  db:\n    image: x\n"
        #expect(
            try message(unknown) == "compose: compose.yaml:4: services.web.depends_on.dbb: no service is named 'dbb'; did you mean 'db'?")
        let cycle = """
            services:
              a:
                image: x
                depends_on: [b]
              b:
                image: x
                depends_on:
                  c:
                    condition: service_healthy
              c:
                image: x
                depends_on: [a]
            """
        #expect(try message(cycle) == "compose: compose.yaml:12: services.c.depends_on: the dependencies form a cycle: a -> b -> c -> a")
    }

    @Test func aServiceNeedsAnImageOrABuild() throws {
        #expect(
            try message("services:\n  web:\n    command: x\n")
                == "compose: compose.yaml:2: services.web: has neither 'image' nor 'build'; give one of them")
    }

    @Test func fixedPublishedPortsMustNotClash() throws {
        let text = "services:\n  a:\n    image: x\n    ports: [\"8080:80\"]\n  b:\n    image: x\n    ports:\n      - 127.0.0.1:8080:81\n"
        #expect(
            try message(text)
                == "compose: compose.yaml:8: services.b.ports: the host port 8080/tcp clashes: 'a' (compose.yaml:4) publishes it too")
        let replicas = "services:\n  a:\n    image: x\n    scale: 2\n    ports: [\"8080:80\"]\n"
        #expect(try message(replicas).contains("the service has 2 replicas"))
        let different =
            "services:\n  a:\n    image: x\n    ports: [\"127.0.0.1:8080:80\"]\n  b:\n    image: x\n    ports: [\"127.0.0.2:8080:80\", \"8080:80/udp\"]\n"
        let fixture = try ComposeFixture(["compose.yaml": different])
        defer { fixture.remove() }
        #expect(try fixture.load("compose.yaml").services.count == 2)
    }

    @Test func networksAndVolumesMustBeDeclared() throws {
        let network = "services:\n  a:\n    image: x\n    networks: [front]\nnetworks:\n  fronts: {}\n"
        #expect(
            try message(network)
                == "compose: compose.yaml:4: services.a.networks.front: names the network 'front', which the top-level 'networks' does not declare; did you mean 'fronts'?"
        )
        let volume = "services:\n  a:\n    image: x\n    volumes:\n      - data:/data\n"
        #expect(
            try message(volume)
                == "compose: compose.yaml:5: services.a.volumes[0]: names the volume 'data', which the top-level 'volumes' does not declare"
        )
        let driver = "services:\n  a:\n    image: x\nnetworks:\n  n:\n    driver: overlay\n"
        #expect(try message(driver) == "compose: compose.yaml:6: networks.n.driver: only the 'bridge' driver is supported")
    }

    @Test func aMissingEnvFileIsNamed() throws {
        let text = "services:\n  a:\n    image: x\n    env_file:\n      - missing.env\n"
        #expect(try message(text) == "compose: compose.yaml:5: env file missing.env: no such file")
        let optional = "services:\n  a:\n    image: x\n    env_file:\n      - path: missing.env\n        required: false\n"
        let fixture = try ComposeFixture(["compose.yaml": optional])
        defer { fixture.remove() }
        #expect(try fixture.load("compose.yaml").services[0].environment.isEmpty)
    }

    @Test func invalidYAMLAndRepeatedKeysGiveTheLine() throws {
        #expect(try message("services:\n  a:\n    image: [x\n").hasPrefix("compose: compose.yaml:4: not valid YAML"))
        #expect(
            try message("services:\n  a:\n    image: x\n    image: y\n")
                == "compose: compose.yaml:4: key 'image' is repeated (first at line 3)")
        #expect(try message("") == "compose: compose.yaml:1: the file is empty; a compose file needs at least 'services'")
        #expect(try message("name: Bad Name\nservices: {}\n").hasPrefix("compose: compose.yaml:1: name: 'Bad Name' is not a project name"))
        let fixture = try ComposeFixture([:])
        defer { fixture.remove() }
        #expect(
            fixture.error("nothing.yaml")?.message
                == "compose: nothing.yaml: no such file".replacingOccurrences(of: "nothing.yaml", with: fixture.path("nothing.yaml")))
    }

    @Test func aBillionLaughsFailsFast() throws {
        var text = "x-lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let previous = "*lol\(level - 1)"
            text += "x-lol\(level): &lol\(level) [\(Array(repeating: previous, count: 10).joined(separator: ", "))]\n"
        }
        text += "services:\n  a:\n    image: x\n    command: *lol9\n"
        // The node budget error is the proof that the aliases were not expanded (no timing asserted).
        let problem = try message(text)
        #expect(problem.contains("more than 100000 YAML nodes once aliases are expanded"), "\(problem)")
    }

    @Test func deepNestingFailsFast() throws {
        let flow =
            "services:\n  a:\n    image: x\n    command: " + String(repeating: "[", count: 500_000) + String(repeating: "]", count: 500_000)
            + "\n"
        #expect(try message(flow).hasPrefix("compose: compose.yaml:4: nested too deeply"))
        let compact = "services:\n  a:\n    image: x\n    command:\n" + String(repeating: "- ", count: 300_000) + "x\n"
        #expect(try message(compact).hasPrefix("compose: compose.yaml:5: nested too deeply"))
        var block = "services:\n  a:\n    image: x\n    labels:\n"
        for level in 0..<100 { block += String(repeating: " ", count: 6 + level) + "k\(level):\n" }
        #expect(try message(block).contains("nested"))
        let large = "services: {}\n# " + String(repeating: "x", count: 5 << 20) + "\n"
        #expect(try message(large).contains("bytes; at most 4194304 are read"))
    }
}

extension ComposeLoaderErrorTests {
    @Test func listsAtTheirKeysColumnAndWideFilesStayBounded() throws {
        // A list at its parent key's column nests two levels per indentation step.
        var sameColumn = "services:\n  a:\n    image: x\n    labels:\n"
        for level in 0..<2000 { sameColumn += String(repeating: " ", count: 4 + 2 * level) + "- k:\n" }
        #expect(try message(sameColumn).contains("nested"))
        // A flat list of a million entries is within the size limit but far over the node budget.
        let wide = "services: {}\nx-wide: [" + String(repeating: "1,", count: 1_000_000) + "1]\n"
        #expect(try message(wide).contains("more than 100000 YAML nodes"))
    }
}

extension ComposeLoaderErrorTests {
    /// Loads `compose.yaml` merged with `compose.override.yaml` and returns the error's message
    /// with the directory cut off.
    func overrideMessage(base: String, override: String, environment: [String: String] = [:]) throws -> String {
        let fixture = try ComposeFixture(["compose.yaml": base, "compose.override.yaml": override])
        defer { fixture.remove() }
        let error = fixture.error("compose.yaml", "compose.override.yaml", environment: environment)
        #expect(error?.code == .invalidSpec)
        return (error?.message ?? "").replacingOccurrences(of: fixture.directory + "/", with: "")
    }

    @Test func errorsInASecondFileNameThatFileAndLine() throws {
        let base = "services:\n  web:\n    image: x\n"
        // Given an override with a misspelt key, a required variable unset and a missing env file,
        // when each is merged over a good base, then the error names the override and its line.
        #expect(
            try overrideMessage(base: base, override: "services:\n  web:\n    enviroment: {A: 1}\n")
                == "compose: compose.override.yaml:3: services.web.enviroment: unknown key 'enviroment'; did you mean 'environment'?")
        #expect(
            try overrideMessage(base: base, override: "services:\n  web:\n    image: ${TAG:?give TAG}\n")
                == "compose: compose.override.yaml:3: services.web.image: required variable TAG is missing a value: give TAG")
        #expect(
            try overrideMessage(base: base, override: "services:\n  web:\n    env_file: [ci.env]\n")
                == "compose: compose.override.yaml:3: env file ci.env: no such file")
    }

    @Test func aMergeKeyBombFailsOnTheNodeBudget() throws {
        // Billion laughs through merge keys rather than sequences: each level merges the one
        // before under ten new keys.
        var text = "x-l0: &l0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}\n"
        for level in 1...9 {
            let keys = (0..<10).map { "k\($0): *l\(level - 1)" }.joined(separator: ", ")
            text += "x-l\(level): &l\(level) {<<: *l\(level - 1), \(keys)}\n"
        }
        text += "services:\n  a:\n    image: x\n    labels: *l9\n"
        let problem = try message(text)
        #expect(problem.contains("more than 100000 YAML nodes once aliases are expanded"), "\(problem)")
        #expect(problem.hasPrefix("compose: compose.yaml:"), "\(problem)")
    }

    @Test func aPortClashAcrossMergedFilesNamesBothPlaces() throws {
        let base = "services:\n  a:\n    image: x\n    ports: [\"8080:80\"]\n  b:\n    image: x\n"
        let override = "services:\n  b:\n    ports:\n      - \"8080:81\"\n"
        let problem = try overrideMessage(base: base, override: override)
        #expect(problem.contains("the host port 8080/tcp clashes: 'a' (compose.yaml:4) publishes it too"), "\(problem)")
        #expect(problem.hasPrefix("compose: compose.override.yaml:"), "\(problem)")
    }
}
