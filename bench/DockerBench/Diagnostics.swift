import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Progress and diagnostics go to stderr; the table goes to stdout.
func diagnostic(_ message: String, newline: Bool = true) {
    FileHandle.standardError.write(Data((message + (newline ? "\n" : "")).utf8))
}

let stderrIsTerminal = isatty(STDERR_FILENO) == 1
