import Foundation

/// Parses the resource sizes users write.
package enum ResourceParsing {
    /// `512m`, `2Gi`, `1g`, `1073741824`, `256MiB` → bytes (binary units, as Docker reads them).
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming `resources.memory`.
    package static func memoryBytes(_ text: String) throws -> Int64 {
        let bytes = try sizeBytes(text, field: "resources.memory")
        guard bytes >= 6 * 1024 * 1024 else {
            throw IsolationError(.invalidSpec, field: "resources.memory", "'\(text)' is below Docker's minimum of 6 MiB")
        }
        return bytes
    }

    /// A size in the units of ``memoryBytes(_:)``, with no minimum.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming `field`.
    static func sizeBytes(_ text: String, field: String) throws -> Int64 {
        let lowered = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = lowered.prefix { $0.isNumber || $0 == "." }
        var unit = String(lowered.dropFirst(digits.count))
        if unit.hasSuffix("b") { unit.removeLast() }
        if unit.hasSuffix("i") { unit.removeLast() }
        let multipliers: [String: Double] = ["": 1, "k": 1024, "m": 1024 * 1024, "g": 1024 * 1024 * 1024, "t": 1024 * 1024 * 1024 * 1024]
        guard let value = Double(digits), let multiplier = multipliers[unit], value > 0 else {
            throw IsolationError(.invalidSpec, field: "\(field)", "'\(text)' is not a size; use e.g. \"512m\" or \"2Gi\"")
        }
        // Beyond an exbibyte no machine has it, and the product would not fit an Int64.
        guard value * multiplier <= Double(1 << 60) else {
            throw IsolationError(.invalidSpec, field: "\(field)", "'\(text)' is larger than any machine; at most 1Ei")
        }
        return Int64(value * multiplier)
    }

    /// `1.5`, `2`, `1500m` → nano-CPUs.
    ///
    /// - Throws: ``IsolationError/Code/invalidSpec`` naming `resources.cpus`.
    package static func nanoCPUs(_ text: String) throws -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let cpus: Double?
        if trimmed.hasSuffix("m") {
            cpus = Double(trimmed.dropLast()).map { $0 / 1000 }
        } else {
            cpus = Double(trimmed)
        }
        guard let cpus, cpus > 0, cpus <= 1024 else {
            throw IsolationError(.invalidSpec, field: "resources.cpus", "'\(text)' is not a CPU count; use e.g. \"1.5\" or \"1500m\"")
        }
        // Docker's smallest share; below it the daemon refuses the container.
        guard cpus >= 0.01 else {
            throw IsolationError(.invalidSpec, field: "resources.cpus", "'\(text)' is below Docker's minimum of 0.01 CPUs (\"10m\")")
        }
        return Int64((cpus * 1_000_000_000).rounded())
    }
}
