import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A failure of the bench itself, said in words.
package struct BenchFailure: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

/// Progress and diagnostics go to stderr; the table goes to stdout.
package func diagnostic(_ message: String, newline: Bool = true) {
    FileHandle.standardError.write(Data((message + (newline ? "\n" : "")).utf8))
}

/// Progress rewrites one line in place only on a terminal.
package let stderrIsTerminal = isatty(STDERR_FILENO) == 1
