/// A terminal's window size in character cells, as `TIOCSWINSZ` and the Engine API's exec
/// resize take it.
public struct TerminalSize: Sendable, Hashable, Codable {
    public var rows: Int
    public var columns: Int

    public init(rows: Int, columns: Int) {
        self.rows = rows
        self.columns = columns
    }

    /// What a terminal that cannot tell its size is taken to be.
    public static let standard = TerminalSize(rows: 24, columns: 80)

    /// Within what a `winsize` (16-bit fields) holds, and at least one cell.
    var clamped: TerminalSize {
        TerminalSize(rows: min(max(rows, 1), Int(UInt16.max)), columns: min(max(columns, 1), Int(UInt16.max)))
    }
}
