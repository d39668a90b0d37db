// libFuzzer on one of FuzzTargets' byte-level targets (the tar readers and extractor, the
// `.dockerignore` matcher, the C ABI's JSON), named by FUZZ_TARGET (scripts/fuzz.sh sets it). The
// body stops the process on anything it does not handle as designed.
import CLibFuzzer
import Foundation
import FuzzTargets

/// Read once, before libFuzzer's first input: a C callback cannot carry it.
let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        // One line and status 2, as scripts/fuzz.sh answers an unknown target: not a crash report.
        FileHandle.standardError.write(
            Data(
                "FuzzBytes: FUZZ_TARGET='\(name.prefix(100))' is not a target; one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n"
                    .utf8))
        exit(2)
    }
    return target
}()

func runInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    target.run(data.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

// The program's entry point under -parse-as-library (see FuzzComposeLoader).
@_cdecl("FuzzBytes_main")
public func fuzzBytesMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    _ = target  // a wrong FUZZ_TARGET stops the run before libFuzzer starts
    var argc = argc
    var argv = Optional(argv)
    return LLVMFuzzerRunDriver(&argc, &argv, runInput)
}
