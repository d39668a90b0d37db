import BenchSupport

/// Runs each scenario round-robin over the methods, so machine noise
/// (the other build, the daemon's own housekeeping) hits all of them alike.
struct BenchRunner: Sendable {
    let methods: [any BenchMethod]
    let iterations: Int
    let warmup: Int

    /// One measured iteration: its wall time and what it returned.
    struct Sample<Result: Sendable>: Sendable {
        var elapsed: Duration
        var result: Result
    }

    /// Samples per method, warm-up rounds left out.
    ///
    /// Round `r` starts with method `r mod methods.count`, so no method always follows the same one.
    func measure<Result: Sendable>(
        _ scenario: Scenario,
        _ iteration: (any BenchMethod) async throws -> Result
    ) async throws -> [Method: [Sample<Result>]] {
        var samples: [Method: [Sample<Result>]] = [:]
        let clock = ContinuousClock()
        let rounds = warmup + iterations
        for round in 0..<rounds {
            try Task.checkCancellation()
            let shift = round % methods.count
            for method in methods[shift...] + methods[..<shift] {
                let start = clock.now
                let result: Result
                do {
                    result = try await iteration(method)
                } catch let error as CancellationError {
                    throw error
                } catch {
                    throw BenchFailure("\(scenario.rawValue) via \(method.method.rawValue), round \(round + 1): \(error)")
                }
                let elapsed = clock.now - start
                if round >= warmup { samples[method.method, default: []].append(Sample(elapsed: elapsed, result: result)) }
            }
            progress(scenario, round: round + 1, of: rounds)
        }
        return samples
    }

    /// A line rewritten in place on a terminal; only the last line when stderr is a file or pipe.
    private func progress(_ scenario: Scenario, round: Int, of rounds: Int) {
        let phase = round <= warmup ? "warm-up" : "measured"
        let line = "\(scenario.rawValue): round \(round)/\(rounds) (\(phase))"
        if stderrIsTerminal {
            diagnostic("\r" + line + (round == rounds ? "\n" : ""), newline: false)
        } else if round == rounds {
            diagnostic(line)
        }
    }
}
