import Foundation
import Synchronization

/// Takes the PID line the ``DockerClient/pidPrologue`` prints off an exec's output, and hands
/// the PID to the task that enforces the timeout or the cancellation.
///
/// Everything before the PID line is held back: when `sh` is missing, what the failed start
/// wrote is not the command's output, and the command is then run again without the prologue.
final class ExecPIDFilter: Sendable {
    private struct State {
        var awaitingPID: Bool
        var pidLine = Data()
        var held: [OutputChunk] = []
        var pid: Int?
        var sawPID = false
        var timedOut = false
    }

    private let state: Mutex<State>

    init(expectsPIDLine: Bool) {
        self.state = Mutex(State(awaitingPID: expectsPIDLine))
    }

    var pid: Int? { state.withLock { $0.pid } }
    var sawPID: Bool { state.withLock { $0.sawPID } }
    var timedOut: Bool { state.withLock { $0.timedOut } }
    /// Whether the first stdout line is still to come.
    var isAwaitingPID: Bool { state.withLock { $0.awaitingPID } }

    func markTimedOut() {
        state.withLock { $0.timedOut = true }
    }

    /// The chunks to hand on now, in order (none while the PID line is still awaited).
    func pass(_ chunk: OutputChunk) -> [OutputChunk] {
        state.withLock { state in
            guard state.awaitingPID else { return [chunk] }
            guard chunk.stream == .stdout else {
                state.held.append(chunk)
                return []
            }
            state.pidLine.append(chunk.data)
            guard let newline = state.pidLine.firstIndex(of: UInt8(ascii: "\n")) else { return [] }
            state.awaitingPID = false
            let line = state.pidLine[state.pidLine.startIndex..<newline]
            // A terminal ends the line with "\r\n".
            state.pid = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            state.sawPID = state.pid != nil
            let rest = state.sawPID ? Data(state.pidLine[state.pidLine.index(after: newline)...]) : state.pidLine
            var passed = state.held
            if !rest.isEmpty { passed.append(OutputChunk(stream: .stdout, data: rest)) }
            state.pidLine = Data()
            state.held = []
            return passed
        }
    }

    /// What is still held once the stream has ended: a PID line that never completed is output.
    func finish() -> [OutputChunk] {
        state.withLock { state in
            var passed = state.held
            if !state.pidLine.isEmpty { passed.append(OutputChunk(stream: .stdout, data: state.pidLine)) }
            state.held = []
            state.pidLine = Data()
            state.awaitingPID = false
            return passed
        }
    }
}
