import Foundation
import Testing

@testable import IsolationCore

#if canImport(Glibc)
    import Glibc
#endif

/// A terminal session's end: every process of it goes, not only the shell's process group.
@Suite struct PseudoTerminalTests {
    @Test func killingTheSessionEndsTheJobsAShellMovedToGroupsOfTheirOwn() async throws {
        // `set -m`: the job gets a process group of its own, as an interactive shell's jobs do.
        let (leader, master) = try PseudoTerminal.spawn(
            executable: "/bin/bash", arguments: ["-c", "set -m; sleep 3613 & wait"], environment: ["PATH": "/usr/bin:/bin"],
            workingDirectory: "/tmp", size: TerminalSize(rows: 24, columns: 80))
        defer { close(master) }
        let exit = PseudoTerminal.exitCode(of: leader)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        var job: pid_t?
        while job == nil, clock.now < deadline {
            job = PseudoTerminal.sessionMembers(leader).first { getpgid($0) == $0 }
            if job == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        // Out of the leader's group: a kill of that group alone misses it.
        let member = try #require(job)
        #expect(getpgid(member) != leader)

        PseudoTerminal.killSession(leader)
        _ = try await exit.value()
        // Killed, it is reaped by init: the session empties.
        while !PseudoTerminal.sessionMembers(leader).isEmpty, clock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(PseudoTerminal.sessionMembers(leader).isEmpty)
    }
}
