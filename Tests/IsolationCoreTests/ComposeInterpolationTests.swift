import Foundation
import IsolationCore
import Testing

/// `${VAR}` and friends, as Compose interpolates them.
struct ComposeInterpolationTests {
    func image(_ value: String, environment: [String: String] = [:], dotEnv: String? = nil) throws -> ComposeProject {
        var files = ["compose.yaml": "services:\n  a:\n    image: 'i\(value)'\n"]
        if let dotEnv { files[".env"] = dotEnv }
        let fixture = try ComposeFixture(files)
        defer { fixture.remove() }
        return try fixture.load("compose.yaml", environment: environment)
    }

    @Test(arguments: [
        ("$TAG", "v1"), ("${TAG}", "v1"), ("x-${TAG}-y", "x-v1-y"), ("$$TAG", "$TAG"), ("$${TAG}", "${TAG}"),
        ("${EMPTY:-d}", "d"), ("${EMPTY-d}", ""), ("${UNSET-d}", "d"), ("${UNSET:-d}", "d"), ("${TAG:-d}", "v1"),
        ("${TAG:+alt}", "alt"), ("${EMPTY:+alt}", ""), ("${EMPTY+alt}", "alt"), ("${UNSET+alt}", ""),
        ("${UNSET:-${TAG}-nested}", "v1-nested"), ("${TAG:-${UNSET:?never evaluated}}", "v1"), ("${TAG?}", "v1"),
    ])
    func variablesExpand(written: String, expected: String) throws {
        let project = try image(written, environment: ["TAG": "v1", "EMPTY": ""])
        #expect(project.services[0].image == "i" + expected)
    }

    @Test func requiredVariablesNameTheVariableFileAndLine() throws {
        let fixture = try ComposeFixture(["compose.yaml": "services:\n  a:\n    image: ${TAG:?set TAG to the image tag}\n"])
        defer { fixture.remove() }
        let error = fixture.error("compose.yaml", environment: ["TAG": ""])
        #expect(
            error?.message
                == "compose: \(fixture.path("compose.yaml")):3: services.a.image: required variable TAG is missing a value: set TAG to the image tag"
        )
        let unsetOnly = fixture.error("compose.yaml")
        #expect(unsetOnly?.message.contains("required variable TAG") == true)
    }

    @Test func aLoneDollarIsAnError() throws {
        let fixture = try ComposeFixture(["compose.yaml": "services:\n  a:\n    image: x\n    command: echo $1\n"])
        defer { fixture.remove() }
        #expect(
            fixture.error("compose.yaml")?.message.contains("services.a.command: invalid interpolation: '$1' starts no variable") == true)
    }

    @Test func unsetVariablesAreEmptyWithAWarning() throws {
        let project = try image("busybox${SUFFIX}")
        #expect(project.services[0].image == "ibusybox")
        #expect(
            project.warnings.count == 1
                && project.warnings[0].hasSuffix(":3: the variable 'SUFFIX' is not set; it is read as an empty string"))
    }

    @Test func theDotEnvFileGivesDefaultsTheCallerOverrides() throws {
        let dotEnv = "# defaults\nTAG=from-dotenv\nOTHER=\"${TAG}-derived\"\n"
        #expect(try image("${TAG}", dotEnv: dotEnv).services[0].image == "ifrom-dotenv")
        #expect(try image("${OTHER}", dotEnv: dotEnv).services[0].image == "ifrom-dotenv-derived")
        #expect(try image("${TAG}", environment: ["TAG": "caller"], dotEnv: dotEnv).services[0].image == "icaller")
    }

    @Test func listEntriesAreInterpolatedBeforeTheyAreSplit() throws {
        let fixture = try ComposeFixture([
            "compose.yaml":
                "services:\n  a:\n    image: x\n    environment:\n      - ${KEY}=${VALUE:-v}\n      - PORT\n    ports: [\"${PORT}:80\"]\n"
        ])
        defer { fixture.remove() }
        let service = try fixture.load("compose.yaml", environment: ["KEY": "K", "PORT": "8080"]).services[0]
        #expect(service.environment == ["K": "v", "PORT": "8080"])
        #expect(service.ports == [ComposePort(target: 80, published: 8080)])
    }
}
