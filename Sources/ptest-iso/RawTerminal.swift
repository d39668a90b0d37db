import Foundation
import IsolationCore

#if canImport(Glibc)
    import Glibc
#endif

/// The local terminal in raw mode for an interactive session: every key goes to the command
/// inside as typed (Ctrl-C included), and nothing is echoed here — the terminal inside echoes.
///
/// ``restore()`` puts back the settings found on entry; the session calls it on every way out
/// (a deferred call covers errors and cancellation by SIGINT/SIGTERM, which `interruptible`
/// turns into cancellation), and a second call does nothing.
final class RawTerminal {
    private let descriptor: CInt
    private var saved: termios?

    /// Switches `descriptor` to raw mode; `nil` when it is not a terminal.
    init?(_ descriptor: CInt = STDIN_FILENO) {
        var settings = termios()
        guard isatty(descriptor) == 1, tcgetattr(descriptor, &settings) == 0 else { return nil }
        self.descriptor = descriptor
        self.saved = settings
        var raw = settings
        cfmakeraw(&raw)
        tcsetattr(descriptor, TCSANOW, &raw)
    }

    func restore() {
        guard var settings = saved else { return }
        // TCSADRAIN: what the session printed last is written out in raw mode first.
        tcsetattr(descriptor, TCSADRAIN, &settings)
        saved = nil
    }

    deinit { restore() }

    /// The window size of the first of stdout, stdin, stderr that is a terminal.
    static func windowSize() -> TerminalSize? {
        for descriptor in [STDOUT_FILENO, STDIN_FILENO, STDERR_FILENO] {
            var window = winsize()
            if ioctl(descriptor, UInt(TIOCGWINSZ), &window) == 0, window.ws_row > 0, window.ws_col > 0 {
                return TerminalSize(rows: Int(window.ws_row), columns: Int(window.ws_col))
            }
        }
        return nil
    }

    static var inputIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }
}
