import Foundation
import IsolationCore
import Testing

/// Specs read from JSON (`ptest-iso create --spec`).
struct EnvironmentSpecJSONTests {
    @Test func aSpecFromJSONNamesTheBadField() throws {
        let spec = try EnvironmentSpec.decode(json: Data(#"{"python": "3.12", "requirements": ["requests"]}"#.utf8))
        #expect(spec.python == "3.12" && spec.requirements == ["requests"])
        let mistyped = #expect(throws: IsolationError.self) { try EnvironmentSpec.decode(json: Data(#"{"requirements": [1]}"#.utf8)) }
        #expect(mistyped?.code == .invalidSpec)
        #expect(mistyped?.message.hasPrefix("requirements[0]:") == true, "\(mistyped?.message ?? "")")
        let broken = #expect(throws: IsolationError.self) { try EnvironmentSpec.decode(json: Data("{".utf8)) }
        #expect(broken?.message.hasPrefix("spec: not valid JSON") == true)
    }

    /// Foundation reports a fraction in a whole-number field, and a number past 64 bits, as invalid
    /// JSON with no path; the error names the field all the same, past fractions where they belong.
    @Test func aNumberThatFitsNoWholeNumberFieldIsNamed() throws {
        let fraction = #expect(throws: IsolationError.self) {
            try EnvironmentSpec.decode(json: Data(#"{"ttl_seconds": 2.5, "resources": {"cpus": "1.5", "pids": 1.5}}"#.utf8))
        }
        #expect(fraction?.field == "resources.pids")
        #expect(fraction?.message == "resources.pids: must be a whole number, not 1.5")
        let huge = #expect(throws: IsolationError.self) {
            try EnvironmentSpec.decode(json: Data(#"{"resources": {"pids": 1e300}}"#.utf8))
        }
        #expect(huge?.field == "resources.pids")
        let wholeAsFraction = try EnvironmentSpec.decode(json: Data(#"{"ttl_seconds": 2.5, "resources": {"pids": 64.0}}"#.utf8))
        #expect(wholeAsFraction.resources?.pids == 64 && wholeAsFraction.ttlSeconds == 2.5)
    }
}
