import Foundation
import IsolationCore

#if canImport(Glibc)
    import Glibc
#endif

func printJSON(_ value: some Encodable) throws {
    print(String(decoding: try SchemaJSON.encoder(pretty: true).encode(value), as: UTF8.self))
}

/// Prints rows as columns padded to their widest cell; the first row is the header.
/// `paint` styles a body cell (column index, padded text) after padding, so escape codes
/// never count towards a column's width.
func printTable(_ rows: [[String]], paint: (Int, String) -> String = { $1 }) {
    guard let header = rows.first else { return }
    let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
    for (number, row) in rows.enumerated() {
        let cells = row.indices.map { index in
            let padded = index == row.count - 1 ? row[index] : row[index].padding(toLength: widths[index], withPad: " ", startingAt: 0)
            return number == 0 ? padded : paint(index, padded)
        }
        print(cells.joined(separator: "  "))
    }
}

/// Prints `label  value` lines with the labels aligned.
func printFields(_ fields: [(String, String)]) {
    let width = fields.map(\.0.count).max() ?? 0
    for (label, value) in fields {
        print(label.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
    }
}

enum StandardStream {
    static func write(_ data: Data, to handle: FileHandle) {
        guard !data.isEmpty else { return }
        handle.write(data)
    }

    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// The one-line `Error:` report, red on a terminal.
    static func failure(_ message: String) {
        error(Palette.current.error("Error: " + message))
    }

    static var errorIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }
}

func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(bytes)
    var unit = 0
    while abs(value) >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}

func formatDate(_ date: Date?) -> String {
    guard let date else { return "-" }
    return ISO8601DateFormatter().string(from: date)
}
