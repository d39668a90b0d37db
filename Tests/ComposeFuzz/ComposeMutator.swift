import FuzzTargets

/// Edits of a compose file's text aimed at YAML's and Compose's syntax: byte flips, inserted
/// YAML syntax, anchors and aliases, deep nesting, random keys and values, huge numbers, and
/// lines spliced in from another corpus file.
///
/// Each input is a function of the run's seed and its index alone, so a finding is replayed
/// with `--seed S --replay N` and a worker restarted after a crash picks up where it stopped.
struct ComposeMutator {
    static let fragments = [
        ":", ": ", " ", "-", "- ", "\n", "  ", "[", "]", "{", "}", ",", "'", "\"", "&a ", "*a", "<<: *a", "<<: ", "!!str ", "!!binary ",
        "!!map ", "? ", "|", ">", "|-", "~", "null", "#", "%YAML 1.1\n", "---\n", "...\n", "\t", "\\", "\u{0}", "\u{FEFF}", "é", "💥",
        "$", "${", "${X", "${X:-", "${X:-${Y:-${Z}}}", "${X:?boom}", "${X?}", "${X:+alt}", "$$", "$X", "${}", "${:-}", "=",
    ]

    static let keys = [
        "image", "build", "context", "dockerfile", "args", "target", "command", "entrypoint", "environment", "env_file", "ports",
        "volumes", "networks", "aliases", "depends_on", "condition", "required", "healthcheck", "test", "interval", "timeout",
        "retries", "start_period", "disable", "labels", "user", "working_dir", "restart", "init", "read_only", "cap_add",
        "cap_drop", "tmpfs", "extra_hosts", "deploy", "resources", "limits", "memory", "cpus", "replicas", "scale", "profiles",
        "external", "name", "driver", "internal", "mem_limit", "shm_size", "stop_grace_period", "stop_signal", "hostname",
        "privileged", "published", "host_ip", "protocol", "mode", "source", "type", "read_only", "size", "path", "services",
        "version", "x-ext", "<<", "", "?", "0",
    ]

    static let values = [
        "", "x", "true", "no", "on", "~", "null", "0", "-1", "1.5", "0x1F", "0o17", ".inf", "-.inf", ".nan", "1e309",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "99999999999999999999999999999999999999", "65535", "65536", "0:0", "1-65535:1-65535", "127.0.0.1::80",
        "[::1]:80:80", "80-70:80-70", "/udp", "1m30s", "500ms", "1h2m3s4ms5us6ns", "99999999h", "1.5.5s", "512m", "1g",
        "99999999999t", "-5m", "./x:/y:ro", "x:/y:z", "/a:/b:rw,nocopy", "service_healthy", "service_completed_successfully",
        "[]", "{}", "[[[]]]", "{a: {b: {c: d}}}", "\"\\u0000\"", "'''", "\"${X:-d}\"", "*a", "&a x", "!!int 3", "!!float x",
        "!!str", "${HOME}", "$${X}", "*",
    ]

    let sources: [(project: String, file: String, text: String)]

    /// The input numbered `index` of the run seeded with `seed`: which corpus file it mutates,
    /// and the mutated text.
    func input(seed: UInt64, index: UInt64) -> (source: Int, text: String) {
        var random = SplitMix64(seed: seed ^ (index &* 0x9E37_79B9_7F4A_7C15))
        let source = Int(random.next() % UInt64(sources.count))
        var text = sources[source].text
        for _ in 0...(random.next() % 6) { text = mutate(text, using: &random) }
        return (source, text)
    }

    func mutate(_ text: String, using random: inout SplitMix64) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.isEmpty { lines = [""] }
        let index = Int(random.next() % UInt64(lines.count))
        switch random.next() % 14 {
        case 0:
            return flipBytes(text, using: &random)
        case 1:
            lines.remove(at: index)
        case 2:
            lines.insert(lines[index], at: Int(random.next() % UInt64(lines.count)))
        case 3:
            lines[index] = String(repeating: " ", count: Int(random.next() % 5)) + lines[index].drop(while: { _ in random.next() % 2 == 0 })
        case 4:
            lines[index] = insert(Self.fragments.randomElement(using: &random)!, into: lines[index], using: &random)
        case 5:
            lines[index] = insert(Self.values.randomElement(using: &random)!, into: lines[index], using: &random)
        case 6:
            // A key with a value at the line's indentation, or one level deeper.
            let indentation = lines[index].prefix { $0 == " " }.count + (random.next() % 2 == 0 ? 0 : 2)
            let key = Self.keys.randomElement(using: &random)!
            let value = Self.values.randomElement(using: &random)!
            lines.insert(String(repeating: " ", count: indentation) + "\(key): \(value)", at: index)
        case 7:
            lines[index] = anchorOrAlias(lines[index], using: &random)
        case 8:
            let depth = Int(random.next() % 200) + 1
            let (open, close) = random.next() % 2 == 0 ? ("[", "]") : ("{a: ", "}")
            lines[index] +=
                " " + String(repeating: open, count: depth) + String(repeating: close, count: Int(random.next() % UInt64(depth + 1)))
        case 9:
            // Block nesting: each line one step deeper than the last.
            let depth = Int(random.next() % 100) + 1
            let base = lines[index].prefix { $0 == " " }.count
            let nested = (1...depth).map { String(repeating: " ", count: base + 2 * $0) + ($0 % 2 == 0 ? "- " : "k\($0): ") }
            lines.insert(contentsOf: nested, at: index + 1)
        case 10:
            let other = sources[Int(random.next() % UInt64(sources.count))].text.split(separator: "\n").map(String.init)
            if !other.isEmpty {
                let start = Int(random.next() % UInt64(other.count))
                let end = min(other.count, start + 1 + Int(random.next() % 8))
                lines.insert(contentsOf: other[start..<end], at: index)
            }
        case 11:
            // The same block twice: repeated keys, repeated services.
            let end = min(lines.count, index + 1 + Int(random.next() % 6))
            lines.insert(contentsOf: lines[index..<end], at: end)
        case 12:
            lines[index] = lines[index].replacing(/[0-9]+/) { _ in Self.values[Int(random.next() % 6) + 16] }
        default:
            lines.swapAt(index, Int(random.next() % UInt64(lines.count)))
        }
        return lines.joined(separator: "\n")
    }

    private func insert(_ fragment: String, into line: String, using random: inout SplitMix64) -> String {
        var characters = Array(line)
        characters.insert(contentsOf: fragment, at: Int(random.next() % UInt64(characters.count + 1)))
        return String(characters)
    }

    private func flipBytes(_ text: String, using random: inout SplitMix64) -> String {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return text }
        for _ in 0...(random.next() % 4) {
            let position = Int(random.next() % UInt64(bytes.count))
            bytes[position] ^= UInt8(truncatingIfNeeded: 1 << (random.next() % 8))
        }
        // Invalid UTF-8 is kept as replacement characters: the loader reads text.
        return String(decoding: bytes, as: UTF8.self)
    }

    /// An anchor on a value, or an alias (possibly a merge key) to a name that may exist.
    private func anchorOrAlias(_ line: String, using random: inout SplitMix64) -> String {
        let name = ["a", "b", "defaults", "x"].randomElement(using: &random)!
        guard let colon = line.firstIndex(of: ":") else { return line + " &\(name)" }
        let key = line[..<colon]
        switch random.next() % 3 {
        case 0: return "\(key): &\(name) \(line[line.index(after: colon)...].drop { $0 == " " })"
        case 1: return "\(key): *\(name)"
        default: return "\(key.prefix { $0 == " " })<<: *\(name)"
        }
    }
}
