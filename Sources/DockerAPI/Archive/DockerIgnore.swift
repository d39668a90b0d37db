// `package import`: package-level signatures below mention URL and Data.
package import Foundation

/// `.dockerignore` rules, matching what Docker does (moby's `patternmatcher`
/// and `ignorefile`), so a context we send is the context `docker build` sends.
///
/// - A line starting with `#` is a comment — only in column one, as in Docker;
///   other lines are trimmed, and blank ones skipped.
/// - Patterns are cleaned like Go's `filepath.Clean`, and a leading `/` is dropped.
/// - `*`, `?`, `[...]` (`[^...]` negates; `!` inside brackets is literal) and
///   `\` escapes, as in Go's `filepath.Match`; `**` spans any number of directories.
/// - A pattern matching a parent directory matches everything below it.
/// - `!pattern` re-includes; the last pattern that matches a path decides.
///
/// Docker turns patterns into Go regular expressions; here they are matched
/// directly, so `\d`-style escapes are the literal character rather than a
/// regex class, and `[[:alpha:]]` classes are not supported.
package struct DockerIgnore: Sendable {
    let patterns: [Pattern]

    /// - Throws: `DockerIgnoreError` naming the first bad line: an unclosed
    ///   or empty `[`, a reversed range, a trailing `\`, or a lone `!`.
    package init(contents: String) throws {
        var patterns: [Pattern] = []
        var text = Substring(contents)
        if text.hasPrefix("\u{FEFF}") { text = text.dropFirst() }
        // "\r\n" is one Character in Swift, so it needs naming as a separator.
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (index, line) in lines.enumerated() {
            if line.unicodeScalars.first == "#" { continue }
            var pattern = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if pattern.isEmpty { continue }
            let isException = pattern.unicodeScalars.first == "!"
            if isException { pattern = String(pattern.dropFirst()).trimmingCharacters(in: .whitespacesAndNewlines) }
            if !pattern.isEmpty {
                pattern = DockerIgnore.clean(pattern)
                if pattern.count > 1 && pattern.hasPrefix("/") { pattern.removeFirst() }
            }
            do {
                // Docker cleans `!` + pattern once more, which turns `!/` into a lone `!`.
                guard !pattern.isEmpty, !(isException && pattern == "/") else {
                    throw PatternError("illegal exclusion pattern \"!\"")
                }
                patterns.append(try Pattern(pattern, isException: isException))
            } catch let error as PatternError {
                throw DockerIgnoreError(line: index + 1, pattern: String(line), reason: error.reason)
            }
        }
        self.patterns = patterns
    }

    /// Reads a `.dockerignore` file; a missing file means no patterns.
    ///
    /// - Throws: the read error for any other failure, or `DockerIgnoreError`.
    package init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            try self.init(contents: "")
            return
        }
        try self.init(contents: String(decoding: data, as: UTF8.self))
    }

    /// Whether the context-relative, `/`-separated path is left out of the context.
    package func excludes(_ relativePath: String) -> Bool {
        var path = DockerIgnore.clean(relativePath)
        while path.hasPrefix("/") { path.removeFirst() }
        guard !path.isEmpty, path != "." else { return false }
        let file = Array(path.unicodeScalars)
        let parents = Self.parentPrefixes(of: file)
        var excluded = false
        for pattern in patterns where pattern.isException == excluded {
            if pattern.matches(file) || parents.contains(where: pattern.matches) {
                excluded = !pattern.isException
            }
        }
        return excluded
    }

    /// The filter `docker build` applies: these patterns, except that the
    /// Dockerfile and `.dockerignore` are always sent (the CLI appends `!` rules
    /// for them, since the builder needs both).
    package func buildContextFilter(dockerfile: String) -> (String) -> Bool {
        let kept = [DockerIgnore.clean(dockerfile), ".dockerignore"]
        return { path in kept.contains(DockerIgnore.clean(path)) || !self.excludes(path) }
    }

    /// Whether an exception pattern could bring back something below the
    /// excluded `directory`, by the patterns alone; false means nothing below it
    /// is included. Docker's walk skips more (``dockerWalkEnters(excluded:)``).
    ///
    /// Exact when there are no exceptions; otherwise conservative: a pattern
    /// with `**`, `[` or `\` is assumed to reach anywhere.
    package func mayReinclude(below directory: String) -> Bool {
        let components = DockerIgnore.clean(directory).split(separator: "/")
        for pattern in patterns where pattern.isException {
            let text = pattern.text
            if text.contains("**") || text.contains("[") || text.contains("\\") { return true }
            let segments = text.split(separator: "/", omittingEmptySubsequences: false)
            guard segments.count > components.count else { continue }
            let prefixMatches = zip(segments, components).allSatisfy { segment, component in
                (try? Pattern(String(segment), isException: false))?.matches(Array(component.unicodeScalars)) ?? true
            }
            if prefixMatches { return true }
        }
        return false
    }

    /// Whether `docker build`'s walk enters the excluded `directory` at all. Docker (moby's
    /// `TarWithOptions`) enters it only when some exception's text, with a `/` after it, starts
    /// with the directory's path and a `/`: a test of text, not of matching, so `!**/*.go` or
    /// `!*/keep` bring back nothing below an excluded directory even though they match paths
    /// there. The build context follows this, to hold what `docker build` sends; checked
    /// against the real CLI in `DockerIgnoreBuilderTests`.
    package func dockerWalkEnters(excluded directory: String) -> Bool {
        let prefix = Array((DockerIgnore.clean(directory) + "/").utf8)
        // Byte-wise, as Go's strings.HasPrefix: Swift's hasPrefix compares Characters.
        return patterns.contains { $0.isException && Array(($0.text + "/").utf8).starts(with: prefix) }
    }

    /// `a/b/c` → `a`, `a/b`: moby also tests every parent directory.
    private static func parentPrefixes(of path: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        path.indices.filter { path[$0] == "/" }.map { Array(path[..<$0]) }
    }

    /// Go's `filepath.Clean` for `/`-separated paths.
    package static func clean(_ path: String) -> String {
        let rooted = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part != ".." {
                parts.append(part)
            } else if let last = parts.last, last != ".." {
                parts.removeLast()
            } else if !rooted {
                parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        return rooted ? "/" + joined : (joined.isEmpty ? "." : joined)
    }
}

/// A `.dockerignore` line Docker would reject.
package struct DockerIgnoreError: Error, CustomStringConvertible {
    /// 1-based, counting comments and blank lines.
    package var line: Int
    package var pattern: String
    package var reason: String

    package var description: String { ".dockerignore line \(line): bad pattern \"\(pattern)\": \(reason)" }
}

extension DockerIgnore {
    struct PatternError: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }
}

// MARK: - Patterns

extension DockerIgnore {
    /// One compiled pattern. `kind` mirrors moby's fast paths (exact, prefix,
    /// suffix), which are not always what its regex would say (`**foo`
    /// matches `barfoo`), so they are kept for fidelity.
    struct Pattern: Sendable {
        enum Kind: Sendable { case exact, prefix, suffix, glob }

        enum Token: Sendable {
            case literal(Unicode.Scalar)
            /// `*`: any run without `/`.
            case star
            /// `?`: one character but `/`.
            case question
            /// `**` before more pattern: nothing, or anything ending in `/`.
            case directories
            /// `**` at the end: anything.
            case rest
            case set(negated: Bool, ranges: [ClosedRange<Unicode.Scalar>])
        }

        let text: String
        let isException: Bool
        let kind: Kind
        let tokens: [Token]
        private let scalars: [Unicode.Scalar]

        init(_ text: String, isException: Bool) throws {
            self.text = text
            self.isException = isException
            let scalars = Array(text.unicodeScalars)
            self.scalars = scalars
            var tokens: [Token] = []
            var kind = Kind.exact
            var index = 0
            func next() -> Unicode.Scalar? {
                defer { index += 1 }
                return index < scalars.count ? scalars[index] : nil
            }
            while index < scalars.count {
                let isFirst = index == 0
                let char = next()!
                switch char {
                case "*" where index < scalars.count && scalars[index] == "*":
                    index += 1
                    if index < scalars.count && scalars[index] == "/" { index += 1 }
                    if index == scalars.count {
                        tokens.append(.rest)
                        kind = kind == .exact ? .prefix : .glob
                    } else {
                        tokens.append(.directories)
                        kind = .glob
                    }
                    if isFirst { kind = .suffix }
                case "*":
                    tokens.append(.star)
                    kind = .glob
                case "?":
                    tokens.append(.question)
                    kind = .glob
                case "\\":
                    guard let escaped = next() else { throw PatternError("trailing '\\'") }
                    tokens.append(.literal(escaped))
                    kind = .glob
                case "[":
                    tokens.append(try Pattern.parseSet(scalars, &index))
                    kind = .glob
                default:
                    tokens.append(.literal(char))
                }
            }
            self.kind = kind
            self.tokens = tokens
        }

        /// `filepath.Match` syntax: after `[` and an optional `^`, one or more
        /// characters or ranges; `-` and `]` must be escaped to be members.
        private static func parseSet(_ scalars: [Unicode.Scalar], _ index: inout Int) throws -> Token {
            func member() throws -> Unicode.Scalar {
                guard index < scalars.count else { throw PatternError("unclosed '['") }
                var char = scalars[index]
                index += 1
                if char == "-" || char == "]" { throw PatternError("unescaped '\(char)' in '[...]'") }
                if char == "\\" {
                    guard index < scalars.count else { throw PatternError("unclosed '['") }
                    char = scalars[index]
                    index += 1
                }
                return char
            }
            var negated = false
            if index < scalars.count && scalars[index] == "^" {
                negated = true
                index += 1
            }
            var ranges: [ClosedRange<Unicode.Scalar>] = []
            while true {
                if index < scalars.count && scalars[index] == "]" && !ranges.isEmpty {
                    index += 1
                    return .set(negated: negated, ranges: ranges)
                }
                let low = try member()
                var high = low
                if index < scalars.count && scalars[index] == "-" {
                    index += 1
                    high = try member()
                    guard low <= high else { throw PatternError("range '\(low)-\(high)' out of order") }
                }
                ranges.append(low...high)
            }
        }

        func matches(_ path: [Unicode.Scalar]) -> Bool {
            switch kind {
            case .exact:
                return path == scalars
            case .prefix:
                return path.starts(with: scalars.dropLast(2))
            case .suffix:
                let suffix = scalars.dropFirst(2)
                return path.reversed().starts(with: suffix.reversed())
                    || (suffix.first == "/" && path.elementsEqual(suffix.dropFirst()))
            case .glob:
                var memo = [Bool?](repeating: nil, count: (tokens.count + 1) * (path.count + 1))
                return match(token: 0, at: 0, path, &memo)
            }
        }

        /// Backtracking with memoization: linear in tokens × path length.
        private func match(token: Int, at position: Int, _ path: [Unicode.Scalar], _ memo: inout [Bool?]) -> Bool {
            guard token < tokens.count else { return position == path.count }
            let key = token * (path.count + 1) + position
            if let known = memo[key] { return known }
            let here: Unicode.Scalar? = position < path.count ? path[position] : nil
            var result = false
            switch tokens[token] {
            case .literal(let char):
                result = here == char && match(token: token + 1, at: position + 1, path, &memo)
            case .question:
                result = here != nil && here != "/" && match(token: token + 1, at: position + 1, path, &memo)
            case .set(let negated, let ranges):
                if let here {
                    result =
                        ranges.contains { $0.contains(here) } != negated
                        && match(token: token + 1, at: position + 1, path, &memo)
                }
            case .star:
                var end = position
                while true {
                    if match(token: token + 1, at: end, path, &memo) { result = true; break }
                    guard end < path.count, path[end] != "/" else { break }
                    end += 1
                }
            case .directories, .rest:
                // `(.*/)?` or `.*`; Go's `.` stops at a newline.
                let isRest = if case .rest = tokens[token] { true } else { false }
                var end = position
                while true {
                    let canEndHere = isRest || end == position || path[end - 1] == "/"
                    if canEndHere && match(token: token + 1, at: end, path, &memo) { result = true; break }
                    guard end < path.count, path[end] != "\n" else { break }
                    end += 1
                }
            }
            memo[key] = result
            return result
        }
    }
}
