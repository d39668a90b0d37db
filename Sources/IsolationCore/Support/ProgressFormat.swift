import Foundation

/// How progress reads: durations and byte counts as people write them, and a status line cut to
/// the width it is drawn in (a line longer than the terminal wraps, and redrawing it then leaves
/// the wrapped part behind).
public enum ProgressFormat {
    /// `850ms`, `12.3s`, `1m05s`, `2h03m`.
    public static func duration(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if milliseconds < 1000 { return "\(max(0, milliseconds))ms" }
        if seconds < 60 { return String(format: "%.1fs", Double(milliseconds) / 1000) }
        if seconds < 3600 { return String(format: "%dm%02ds", seconds / 60, seconds % 60) }
        return String(format: "%dh%02dm", seconds / 3600, (seconds % 3600) / 60)
    }

    /// Decimal units, as `docker pull` shows them: `512B`, `3.2kB`, `45.6MB`, `1.2GB`.
    public static func bytes(_ count: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(max(0, count))
        var unit = 0
        while value >= 1000, unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(Int(value))B" : String(format: "%.1f%@", value, units[unit])
    }

    /// `text` cut to `width` characters, the cut marked with `…`.
    public static func fit(_ text: String, width: Int) -> String {
        guard width > 0 else { return "" }
        guard text.count > width else { return text }
        return String(text.prefix(width - 1)) + "…"
    }
}
