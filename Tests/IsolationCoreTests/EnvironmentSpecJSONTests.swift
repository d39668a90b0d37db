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
}
