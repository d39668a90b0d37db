import ArgumentParser
import Foundation
import IsolationCore

/// Runs a core check in `validate()`: its error becomes a usage error, printed as one line.
func asValidation(_ check: () throws -> Void) throws {
    do {
        try check()
    } catch let error as IsolationError {
        throw ValidationError(error.message)
    }
}

/// `--spec FILE|-`: a whole spec (or job) as JSON, instead of the flags that would make one.
enum SpecOption {
    /// - Throws: `ValidationError` naming the first of `flags` given beside `--spec`.
    static func checkAlone(_ spec: String?, besides flags: [(name: String, given: Bool)]) throws {
        if spec != nil, let flag = flags.first(where: \.given) {
            throw ValidationError("--spec and \(flag.name) conflict; put the field into the spec")
        }
    }

    /// The JSON `--spec` names: a file, or stdin for `-`.
    ///
    /// - Throws: ``IsolationError`` `invalidSpec` naming the file it cannot read.
    static func read(_ spec: String) throws -> Data {
        do {
            return spec == "-" ? FileHandle.standardInput.readDataToEndOfFile() : try Data(contentsOf: URL(fileURLWithPath: spec))
        } catch {
            throw IsolationError(.invalidSpec, "--spec: cannot read \(spec): \(error.localizedDescription)")
        }
    }
}
