import Foundation
import Testing

@testable import DockerAPI

@Suite struct DockerIgnoreTests {
    /// One `.dockerignore` and what it must and must not exclude.
    struct Case: Sendable, CustomTestStringConvertible {
        var patterns: String
        var excluded: [String]
        var kept: [String]

        var testDescription: String { patterns.replacingOccurrences(of: "\n", with: " | ") }
    }

    /// The examples from Docker's documentation, then moby's corner cases.
    static let cases: [Case] = [
        Case(
            patterns: "*/temp*", excluded: ["somedir/temporary.txt", "somedir/temp", "somedir/temp/x/y"],
            kept: ["temp", "temporary.txt", "a/b/temp", "somedir/xtemp"]),
        Case(
            patterns: "*/*/temp*", excluded: ["somedir/subdir/temporary.txt", "a/b/temp/c"],
            kept: ["somedir/temp", "temp", "a/b/c/temp"]),
        Case(patterns: "temp?", excluded: ["tempa", "tempb", "tempa/file"], kept: ["temp", "tempab", "dir/tempa"]),
        Case(patterns: "**/*.go", excluded: ["a.go", "x/y/z.go"], kept: ["a.gox", "go", "a.go.txt"]),
        Case(
            patterns: "*.md\n!README*.md\nREADME-secret.md", excluded: ["a.md", "README-secret.md"],
            kept: ["README.md", "README-x.md", "sub/a.md"]),
        Case(patterns: "!README*.md\n*.md", excluded: ["README.md", "a.md"], kept: ["x.txt"]),
        Case(
            patterns: "node_modules", excluded: ["node_modules", "node_modules/x/y.js"],
            kept: ["src/node_modules", "node_modules2"]),
        Case(patterns: "/build", excluded: ["build", "build/out/x"], kept: ["src/build", "builder"]),
        Case(
            patterns: "docs/**/*.txt", excluded: ["docs/a.txt", "docs/x/y/b.txt"],
            kept: ["docs/a.md", "other/docs/a.txt", "docsx/a.txt"]),
        // A pattern matching a parent directory excludes everything below it.
        Case(patterns: "dir", excluded: ["dir", "dir/a", "dir/a/b/c"], kept: ["di", "dirx", "x/dir"]),
        Case(patterns: "a/b", excluded: ["a/b", "a/b/c"], kept: ["a", "a/c"]),
        // The last matching pattern wins, and exceptions also match parents.
        Case(patterns: "*\n!keep", excluded: ["other", "other/x"], kept: ["keep", "keep/sub/file"]),
        Case(patterns: "*\n!keep\nkeep/drop", excluded: ["keep/drop", "keep/drop/x"], kept: ["keep", "keep/other"]),
        Case(patterns: "*.pyc\n!important.pyc", excluded: ["x.pyc", "x.pyc/y"], kept: ["important.pyc", "d/x.pyc"]),
        // `**`
        Case(patterns: "**", excluded: ["a", "a/b", ".dockerignore"], kept: []),
        Case(patterns: "foo/**", excluded: ["foo/x", "foo/x/y"], kept: ["foo", "bar/foo/x"]),
        Case(patterns: "**/foo", excluded: ["foo", "a/foo", "a/b/foo", "a/foo/c"], kept: ["afoo/x", "foox"]),
        Case(patterns: "a/**/b", excluded: ["a/b", "a/x/b", "a/x/y/b", "a/b/c"], kept: ["ab", "a/xb"]),
        Case(patterns: "**foo", excluded: ["barfoo", "a/foo"], kept: ["foox"]),  // moby's suffix fast path
        // `filepath.Match` syntax
        Case(patterns: "a?c\na*e", excluded: ["abc", "ae", "abbbe"], kept: ["a/c", "ac", "ab/e"]),
        Case(
            patterns: "[a-c].txt\n[^x]y\n\\*.log\nq[\\]]", excluded: ["a.txt", "c.txt", "zy", "*.log", "q]"],
            kept: ["d.txt", "xy", "a.log", "qq"]),
        Case(patterns: "[!a]b", excluded: ["!b", "ab"], kept: ["cb"]),  // `!` is literal inside brackets
        // Reading the file: comments only in column one, trimming, cleaning.
        Case(patterns: "# comment\n\n   \n#another\nfoo\n\t\n", excluded: ["foo", "foo/bar"], kept: ["# comment"]),
        Case(patterns: "  # not a comment", excluded: ["# not a comment"], kept: []),
        Case(patterns: "  spaced  \n! keep ", excluded: ["spaced"], kept: ["keep"]),
        Case(patterns: "./foo/../bar/", excluded: ["bar", "bar/x"], kept: ["foo"]),
        Case(patterns: "\u{FEFF}bom\r\ncrlf\r\n", excluded: ["bom", "crlf"], kept: []),
    ]

    @Test(arguments: cases)
    func matchesLikeDocker(_ testCase: Case) throws {
        let ignore = try DockerIgnore(contents: testCase.patterns)
        for path in testCase.excluded {
            #expect(ignore.excludes(path), "should exclude \(path)")
        }
        for path in testCase.kept {
            #expect(!ignore.excludes(path), "should keep \(path)")
        }
    }

    @Test func contextRootIsNeverExcluded() throws {
        let ignore = try DockerIgnore(contents: "*")
        #expect(!ignore.excludes("."))
        #expect(!ignore.excludes(""))
        #expect(ignore.excludes("./x"))
    }

    @Test(arguments: [
        ("a\nb\n[abc", 3), ("!", 1), ("ok\n ! ", 2), ("foo\\", 1), ("[]", 1), ("[z-a]", 1), ("[a-]", 1),
    ])
    func badPatternNamesItsLine(contents: String, line: Int) {
        let error = #expect(throws: DockerIgnoreError.self) { try DockerIgnore(contents: contents) }
        #expect(error?.line == line)
    }

    @Test func missingFileMeansNoPatterns() throws {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("DockerIgnoreTests-\(UUID().uuidString)/.dockerignore")
        #expect(try !DockerIgnore(contentsOf: url).excludes("anything"))
    }

    @Test func buildContextAlwaysKeepsDockerfileAndDockerignore() throws {
        let filter = try DockerIgnore(contents: "*\n!src").buildContextFilter(dockerfile: "Dockerfile")
        #expect(filter("Dockerfile"))
        #expect(filter(".dockerignore"))
        #expect(filter("src/main.py"))
        #expect(!filter("other"))

        let nested = try DockerIgnore(contents: "build\n*.dev").buildContextFilter(dockerfile: "./build/Dockerfile.dev")
        #expect(nested("build/Dockerfile.dev"))
        #expect(!nested("build/other"))
        #expect(!nested("x.dev"))
    }

    @Test func excludedDirectoriesArePrunedOnlyWhenNoExceptionReachesIn() throws {
        #expect(try !DockerIgnore(contents: "node_modules").mayReinclude(below: "node_modules"))
        let keepOne = try DockerIgnore(contents: "node_modules\n!node_modules/keep.js")
        #expect(keepOne.mayReinclude(below: "node_modules"))
        #expect(!keepOne.mayReinclude(below: "other"))
        #expect(try DockerIgnore(contents: "*\n!**/*.go").mayReinclude(below: "x"))
        #expect(try DockerIgnore(contents: "*\n!*/keep").mayReinclude(below: "x"))
        #expect(try !DockerIgnore(contents: "*\n!*/keep").mayReinclude(below: "x/y"))
    }

    @Test func buildContextArchiveAppliesDockerignore() throws {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("DockerIgnoreTests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = [
            "Dockerfile": "FROM scratch\n",
            ".dockerignore": "node_modules\n*.log\n!keep.log\nDockerfile\n.dockerignore\nsub\n!sub/keep.txt\n",
            "a.log": "", "keep.log": "", "main.py": "", "node_modules/m/index.js": "",
            "sub/keep.txt": "", "sub/drop.txt": "",
        ]
        for (path, contents) in files {
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: url)
        }

        let context = try TarArchive.buildContext(directory: dir)
        #expect(
            try TarArchive.entries(in: context).map(\.path)
                == [".dockerignore", "Dockerfile", "keep.log", "main.py", "sub/keep.txt"])
        #expect(try context == TarArchive.buildContext(directory: dir))
    }
}
