/// Compose durations, Go's `time.ParseDuration` syntax: one or more numbers with a unit each,
/// `1m30s`, `10s`, `1.5h`, `500ms`, `100us`; units `ns`, `us`/`µs`, `ms`, `s`, `m`, `h`.
enum ComposeDuration {
    /// Seconds, or `nil` when `text` is not a duration.
    static func seconds(_ text: String) -> Double? {
        var rest = Substring(text)
        guard !rest.isEmpty else { return nil }
        if rest == "0" { return 0 }
        var total = 0.0
        while !rest.isEmpty {
            let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
            guard !number.isEmpty, let value = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            let unit = rest.prefix { !($0.isASCII && ($0.isNumber || $0 == ".")) }
            guard let scale = units[String(unit)] else { return nil }
            rest = rest.dropFirst(unit.count)
            total += value * scale
        }
        return total
    }

    private static let units: [String: Double] = [
        "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600,
    ]
}

extension ComposeNode {
    func duration(_ path: String) throws -> Double {
        let text = try string(path)
        guard let seconds = ComposeDuration.seconds(text) else {
            throw ComposeError.at(
                self, path, "'\(ComposePath.excerpt(text))' is not a duration; write it as 30s, 1m30s, 500ms or 1h")
        }
        return seconds
    }
}
