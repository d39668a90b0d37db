import Foundation

/// How long ago, as `docker ps` says it: "3 minutes ago", "About an hour ago".
enum RelativeTime {
    static func ago(_ date: Date, now: Date = Date()) -> String {
        let seconds = Int(max(0, now.timeIntervalSince(date)))
        switch seconds {
        case ..<1: return "Less than a second ago"
        case ..<60: return plural(seconds, "second")
        case ..<120: return "About a minute ago"
        case ..<3600: return plural(seconds / 60, "minute")
        case ..<7200: return "About an hour ago"
        case ..<(48 * 3600): return plural(seconds / 3600, "hour")
        case ..<(14 * 86400): return plural(seconds / 86400, "day")
        case ..<(60 * 86400): return plural(seconds / (7 * 86400), "week")
        case ..<(730 * 86400): return plural(seconds / (30 * 86400), "month")
        default: return plural(seconds / (365 * 86400), "year")
        }
    }

    private static func plural(_ count: Int, _ unit: String) -> String {
        "\(count) \(unit)\(count == 1 ? "" : "s") ago"
    }
}
