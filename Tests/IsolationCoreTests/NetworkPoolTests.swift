import Foundation
import Testing

@testable import IsolationCore

/// The pool's bookkeeping of held namespaces, without a daemon: which holder is lent, kept,
/// waited for or handed back for removal (decision 0023).
@Suite struct NetworkPoolTests {
    static let later = Date().addingTimeInterval(3600)

    /// Waits (boundedly) until the pool has a waiter: a positive signal, not a sleep.
    func waiting(_ pool: NetworkPool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while await !pool.isAwaited {
            try #require(ContinuousClock.now < deadline, "the waiter never waited")
            await Task.yield()
        }
    }

    /// Waits (boundedly) until no waiter is left, so awaiting its task cannot hang the run.
    func released(_ pool: NetworkPool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while await pool.isAwaited {
            try #require(ContinuousClock.now < deadline, "the waiter was never released")
            await Task.yield()
        }
    }

    func holder(_ id: String, ports: [Int] = [8080], network: String = "held") -> NetworkHolder {
        NetworkHolder(id: id, network: network, expiresAt: Self.later, ports: ports, hostPorts: [8080: 40000])
    }

    @Test func aStandbyWaitsForAHolderOnItsWayBackAndTakesIt() async throws {
        let pool = NetworkPool(capacity: 4)
        await pool.addHeldNetwork(PooledNetwork(name: "held", expiresAt: Self.later))
        await pool.lend(holder("a"))
        // None is returning: no wait.
        #expect(await pool.waitForReturning(lastingUntil: Date(), ports: [8080]) == false)

        await pool.returningHolder("a")
        // Another port set is not served by it: no wait either.
        #expect(await pool.waitForReturning(lastingUntil: Date(), ports: [5432]) == false)
        let waiter = Task { await pool.waitForReturning(lastingUntil: Date(), ports: [8080]) }
        try await waiting(pool)
        #expect(await pool.giveBackHolder("a"))
        try await released(pool)
        #expect(await waiter.value)
        #expect(await pool.takeHolder(lastingUntil: Date(), ports: [8080])?.id == "a")
    }

    @Test func aWaiterIsReleasedWhenTheDestroyFailsOrTheHolderIsRemoved() async throws {
        let pool = NetworkPool(capacity: 4)
        await pool.addHeldNetwork(PooledNetwork(name: "held", expiresAt: Self.later))
        await pool.lend(holder("a"))
        await pool.lend(holder("b"))
        // Its creator's use ends once its holders are lent.
        #expect(await pool.leaveHeldNetwork("held") == nil)
        await pool.returningHolder("a")
        let failed = Task { await pool.waitForReturning(lastingUntil: Date(), ports: [8080]) }
        try await waiting(pool)
        await pool.notReturning("a")
        try await released(pool)
        #expect(await failed.value)
        #expect(await pool.takeHolder(lastingUntil: Date(), ports: [8080]) == nil)

        await pool.returningHolder("b")
        let removed = Task { await pool.waitForReturning(lastingUntil: Date(), ports: [8080]) }
        try await waiting(pool)
        // Found dead on its way back: the caller removes it, and the network is handed back
        // once "a" is gone too.
        _ = await pool.stop()
        #expect(await pool.holderRemoved("b", network: "held") == nil)
        try await released(pool)
        #expect(await removed.value)
        #expect(await pool.holderRemoved("a", network: "held") == "held")
    }

    @Test func afterAStopAHolderComingBackGoesToTheStandbyWaitingForItAndOnlyThen() async throws {
        let pool = NetworkPool(capacity: 4)
        await pool.addHeldNetwork(PooledNetwork(name: "held", expiresAt: Self.later))
        for id in ["a", "b", "c"] { await pool.lend(holder(id)) }
        #expect(await pool.leaveHeldNetwork("held") == nil)
        // The last test begins: nothing is kept idle from now on, but the standby started for
        // it waits for "a", whose environment is being destroyed.
        _ = await pool.stop()
        await pool.returningHolder("a")
        let waiter = Task { await pool.waitForReturning(lastingUntil: Date(), ports: [8080]) }
        try await waiting(pool)
        // A holder of other ports is no use to it: removed as after any stop.
        await pool.lend(holder("d", ports: [5432]))
        #expect(await pool.giveBackHolder("d") == false)
        #expect(await pool.giveBackHolder("a"))
        // One waiter takes one holder: the next one back is the caller's to remove, even before
        // the waiter has taken "a".
        await pool.returningHolder("b")
        #expect(await pool.giveBackHolder("b") == false)
        try await released(pool)
        #expect(await waiter.value)
        #expect(await pool.takeHolder(lastingUntil: Date(), ports: [8080])?.id == "a")
        #expect(await pool.giveBackHolder("c") == false)
    }

    @Test func idleHoldersBeyondTheCountAreHandedBackAndTheHeldNetworkWithTheLast() async {
        let pool = NetworkPool(capacity: 4)
        await pool.addHeldNetwork(PooledNetwork(name: "held", expiresAt: Self.later))
        for id in ["a", "b", "c"] {
            await pool.lend(holder(id))
            #expect(await pool.giveBackHolder(id))
        }
        #expect(await pool.leaveHeldNetwork("held") == nil)
        let surplus = await pool.keepAtMost(1)
        #expect(surplus.holders.map(\.id) == ["a", "b"])
        #expect(surplus.networks.isEmpty)
        let rest = await pool.drain()
        #expect(rest.holders.map(\.id) == ["c"])
        #expect(rest.networks == ["held"])
    }
}
