import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A failure of the bench itself, said in words.
struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Progress and diagnostics go to stderr; the table goes to stdout.
func diagnostic(_ message: String, newline: Bool = true) {
    FileHandle.standardError.write(Data((message + (newline ? "\n" : "")).utf8))
}

/// Progress rewrites one line in place only on a terminal.
let stderrIsTerminal = isatty(STDERR_FILENO) == 1
