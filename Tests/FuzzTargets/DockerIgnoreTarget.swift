import DockerAPI
import Foundation

/// The input is a `.dockerignore`, then a NUL, then newline-separated paths. Parsing returns
/// rules or throws `DockerIgnoreError`; for each path the answer is stable, and the walk's
/// pruning is sound: below an excluded directory that `mayReinclude` rules out, no path is
/// included (else `docker build` would see files our context left out).
enum DockerIgnoreTarget {
    static func run(_ input: Data) {
        let parts = input.split(separator: 0, maxSplits: 1, omittingEmptySubsequences: false)
        let rules = String(decoding: parts[0], as: UTF8.self)
        let paths = parts.count > 1 ? String(decoding: parts[1], as: UTF8.self).split(separator: "\n").map(String.init) : []
        let ignore: DockerIgnore
        do {
            ignore = try DockerIgnore(contents: rules)
        } catch is DockerIgnoreError {
            return
        } catch {
            finding(.dockerIgnore, "not a DockerIgnoreError: \(error)")
        }
        for raw in paths.prefix(64) {
            // The walk asks about clean relative paths; others only have to get an answer.
            let path = DockerIgnore.clean(raw)
            let excluded = ignore.excludes(path)
            guard ignore.excludes(raw) == excluded else { finding(.dockerIgnore, "'\(raw)' and '\(path)' get two answers") }
            guard !path.hasPrefix("/"), path != "..", !path.hasPrefix("../") else { continue }
            let components = path.split(separator: "/")
            for depth in components.indices.dropLast() {
                let directory = components[...depth].joined(separator: "/")
                guard ignore.excludes(directory), !ignore.mayReinclude(below: directory) else { continue }
                guard excluded else {
                    finding(.dockerIgnore, "'\(path)' is included below '\(directory)', which the walk skips")
                }
            }
        }
    }

    static let seeds: [Data] = [
        "*.log\n!keep.log\nbuild/\n\0app.log\nkeep.log\nbuild/out.o\nsrc/main.c",
        "# comment\n\n**/*.tmp\n!**/important.tmp\n/vendor\n\0a/b/c.tmp\na/important.tmp\nvendor/x",
        "docs\n!docs/**/*.md\n[a-c]?.txt\n\0docs/x/y.md\ndocs/x/y.txt\nab.txt\nzz.txt",
        "dir/*\n!dir/keep/\n\\#literal\n../up\n\0dir/keep/f\ndir/other/f\n#literal",
    ].map { Data($0.utf8) }

    static let dictionary: [Data] = ["*", "**", "**/", "?", "[a-z]", "[^x]", "[", "]", "\\", "!", "/", "..", ".", "#", "\n", "\0", " "]
        .map { Data($0.utf8) }
}
