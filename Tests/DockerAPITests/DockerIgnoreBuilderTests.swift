import Foundation
import Testing

@testable import DockerAPI

/// Our `.dockerignore` handling against the real one: the `docker` CLI filters the context it
/// sends with moby's patternmatcher and walk, so an image it builds with `COPY . /ctx` holds
/// the files they kept. For each corpus of patterns, over the same tree, the image built from
/// our context (`buildImage`) must hold the same files.
@Suite(.serialized) struct DockerIgnoreBuilderTests {
    /// Names that the patterns below pick apart: look-alikes, literal `#`, `*` and `?`, nesting.
    static let tree = [
        "a.txt", "b.txt", "d.txt", "Abc.txt", "abc.txt", "xbc.txt", "x1.txt", "xy.txt", "zed.txt", "#notcomment",
        "star*.txt", "q?.txt", "qz.txt", "b.log", "keep.log", "c.md", "README.md",
        "build/out.o", "build/keep/important.txt", "build/sub/deep.o",
        "src/main.c", "src/util/helper.c", "src/util/helper.o", "src/tmp/scratch.tmp", "src/a/tmp/x.c",
        "docs/guide.md", "docs/api/ref.md", "docs/api/ref.txt", "docs/api/v1/old.txt",
        "vendor/lib/x.go", "nested/vendor/y.go", "nested/vendor/z.txt",
        "logs/2024/app.log", "logs/keep/readme.txt", "logs/top.log",
    ]

    /// About thirty patterns in all: `*`, `**`, `?`, classes, `!` exceptions, anchoring,
    /// trailing `/`, `..` and `.`, comments, blank lines, escapes, surrounding spaces.
    static let corpora = [
        """
        # a comment, then a blank line

        *.log
        !keep.log
        /build
        !build/keep/
        **/*.o
        src/**/tmp
        docs/**/*.txt
        [a-c].txt
        ?y.txt
        \\#notcomment
        star\\*.txt
        vendor/
        !nested/vendor
        ../outside
        ./README.md
          zed.txt \u{20}
        [^a-z]bc.txt
        q\\?.txt
        """,
        """
        **
        !src
        !**/*.md
        src/util
        """,
        """
        *
        !*.txt
        !src/**/*.c
        x[0-9].txt
        #notcomment
        """,
        """
        src
        !src/util
        src/util/*.o
        /docs/
        !docs/api/v1
        logs/2024
        */vendor/*.go
        logs/*/
        !logs/keep/readme.txt
        """,
    ]

    @Test(arguments: corpora.indices)
    func theContextHoldsTheFilesDockerBuildSends(corpus: Int) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ptest-iso-dockerignore-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files =
            Self.tree.map { ($0, "") } + [
                ("Dockerfile", "FROM \(TestDocker.busybox)\nCOPY . /ctx\n"), (".dockerignore", Self.corpora[corpus] + "\n"),
            ]
        for (path, contents) in files {
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: url)
        }
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let theirTag = "ptest-iso-test/dockerignore-cli:\(suffix)"
        let ourTag = "ptest-iso-test/dockerignore-ours:\(suffix)"
        defer { _ = try? docker(["rmi", "-f", theirTag, ourTag]) }
        // The classic builder: buildx is not installed here, and the CLI does the filtering either way.
        _ = try docker(["build", "-q", "-t", theirTag, dir.path], environment: ["DOCKER_BUILDKIT": "0"])
        try await TestDocker.withClient { client in
            _ = try await client.buildImage(
                ImageBuildOptions(contextDirectory: dir, tags: [ourTag], labels: [TestDocker.testLabel: "1"]))
        }
        // The daemon drops the Dockerfile and .dockerignore from either context when the patterns exclude them.
        func listing(_ tag: String) throws -> [String] {
            try docker(["run", "--rm", tag, "find", "/ctx", "!", "-type", "d"]).split(separator: "\n")
                .map { String($0.dropFirst("/ctx/".count)) }.sorted()
        }
        let theirs = try listing(theirTag)
        let ours = try listing(ourTag)
        #expect(ours == theirs, "corpus \(corpus):\n\(Self.corpora[corpus])")
        #expect(theirs.count > 3, "the corpus leaves too little to tell matchers apart")
    }

    /// Runs the `docker` CLI; its standard output, or an error with what it printed.
    private func docker(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["docker"] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DockerError(
                .invalidConfiguration,
                "docker \(arguments.joined(separator: " ")) exited \(process.terminationStatus): \(String(decoding: stderr, as: UTF8.self))"
            )
        }
        return String(decoding: stdout, as: UTF8.self)
    }
}
