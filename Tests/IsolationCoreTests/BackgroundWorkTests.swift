import Synchronization
import Testing

@testable import IsolationCore

/// The manager's background work: child tasks of one group, waited for by lane, delays cut short at shutdown.
@Suite(.timeLimit(.minutes(1))) struct BackgroundWorkTests {
    /// A gate a job waits at until the test opens it.
    final class Gate: Sendable {
        let opened = OneShot<Void>()
        func open() { opened.resolve(.success(())) }
        func pass() async { try? await opened.value() }
    }

    @Test func waitingForALaneEndsWhenItsLastJobHasAndNotBefore() async {
        let work = BackgroundWork()
        let gate = Gate()
        let log = Mutex<[String]>([])
        work.start(.removals) {
            await gate.pass()
            log.withLock { $0.append("removal done") }
        }
        async let waited: Void = {
            await work.waitForAll([.removals])
            log.withLock { $0.append("wait over") }
        }()
        gate.open()
        await waited
        #expect(log.withLock { $0 } == ["removal done", "wait over"])
    }

    @Test func aLaneIsWaitedForApartFromTheOthers() async {
        let work = BackgroundWork()
        let standby = Gate()
        let standbyDone = Mutex(false)
        work.start(.standbyStarts) {
            await standby.pass()
            standbyDone.withLock { $0 = true }
        }
        work.start(.removals) {}
        // The removals are over while the standby start still waits at its gate.
        await work.waitForAll([.removals])
        #expect(standbyDone.withLock { $0 } == false)
        standby.open()
        await work.waitForAll()
        #expect(standbyDone.withLock { $0 })
    }

    @Test func anInterruptionEndsTheDelaysStartedBeforeItEvenNotYetBegun() async {
        let work = BackgroundWork()
        let outcomes = Mutex<[Bool]>([])
        for _ in 0..<3 {
            // Ten minutes: only the interruption can end them within the suite's time limit.
            work.startDelayed(by: .seconds(600)) { waited in outcomes.withLock { $0.append(waited) } }
        }
        work.interruptDelays()
        await work.waitForAll([.backOffs])
        #expect(outcomes.withLock { $0 } == [false, false, false])
    }

    @Test func aDelayStartedAfterAnInterruptionRunsInFull() async {
        let work = BackgroundWork()
        work.interruptDelays()
        let outcome = Mutex<Bool?>(nil)
        work.startDelayed(by: .milliseconds(10)) { waited in outcome.withLock { $0 = waited } }
        await work.waitForAll([.backOffs])
        #expect(outcome.withLock { $0 } == true)
    }

    @Test func manyJobsAtOnceAreAllWaitedFor() async {
        let work = BackgroundWork()
        let count = Mutex(0)
        for index in 0..<200 {
            work.start(index.isMultiple(of: 2) ? .removals : .poolRefills) {
                await Task.yield()
                count.withLock { $0 += 1 }
            }
        }
        await work.waitForAll()
        #expect(count.withLock { $0 } == 200)
    }
}
