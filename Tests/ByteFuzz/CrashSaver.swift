import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Saves the input being run when the process dies of it: a fatal signal (a Swift trap is
/// SIGILL or SIGTRAP) or the per-input alarm. The handler only calls `write`, `close` and
/// `raise`, which are async-signal-safe, on a file opened and a buffer filled beforehand.
enum CrashSaver {
    /// Written by the fuzzing loop between inputs and read only by the signal handler, which
    /// runs on that same thread, interrupting it: the loop is single-threaded and the handler
    /// never writes, so there is no concurrent access to guard.
    nonisolated(unsafe) private static var state = State()

    private struct State {
        var descriptor: Int32 = -1
        var path = ""
        var buffer: UnsafeMutableRawBufferPointer = .allocate(byteCount: 1 << 20, alignment: 1)
        var count = 0
        var index: UInt64 = 0
    }

    static func arm(path: String) {
        state.path = path
        state.descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        for signal in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGALRM] {
            _ = Glibc.signal(signal, handle)
        }
    }

    static func disarm() {
        close(state.descriptor)
        unlink(state.path)
    }

    static func hold(_ input: Data, index: UInt64) {
        if input.count > state.buffer.count {
            state.buffer.deallocate()
            state.buffer = .allocate(byteCount: input.count, alignment: 1)
        }
        input.copyBytes(to: state.buffer.bindMemory(to: UInt8.self))
        state.count = input.count
        state.index = index
    }

    private static let handle: @convention(c) (Int32) -> Void = { signal in
        _ = write(CrashSaver.state.descriptor, CrashSaver.state.buffer.baseAddress, CrashSaver.state.count)
        close(CrashSaver.state.descriptor)
        let note: StaticString = "byte-fuzz: a fatal signal on an input; it is saved in the findings folder\n"
        _ = write(2, note.utf8Start, note.utf8CodeUnitCount)
        Glibc.signal(signal, SIG_DFL)
        raise(signal)
    }
}
