import BenchSupport

/// Runs every method once per round, round-robin, so machine noise (another
/// build on the 2 cores) hits all of them alike.
struct BenchRunner: Sendable {
    let methods: [any VenvMethod]
    let iterations: Int

    /// Samples per scenario. Round `r` starts with method `r mod methods.count`,
    /// so no method always follows the same one. Each method's first round verifies its venv.
    func measure() async throws -> [Scenario: [Sample]] {
        var samples: [Scenario: [Sample]] = [:]
        for round in 0..<iterations {
            try Task.checkCancellation()
            let shift = round % methods.count
            for method in methods[shift...] + methods[..<shift] where round < (method.iterationLimit ?? iterations) {
                do {
                    samples[method.scenario, default: []].append(try await method.iteration(round, verify: round == 0))
                } catch let error as CancellationError {
                    throw error
                } catch {
                    throw BenchFailure("\(method.scenario.rawValue), round \(round + 1): \(error)")
                }
            }
            progress(round: round + 1)
        }
        return samples
    }

    private func progress(round: Int) {
        let line = "venv-bench: round \(round)/\(iterations)"
        if stderrIsTerminal {
            diagnostic("\r" + line + (round == iterations ? "\n" : ""), newline: false)
        } else if round == iterations {
            diagnostic(line)
        }
    }
}
