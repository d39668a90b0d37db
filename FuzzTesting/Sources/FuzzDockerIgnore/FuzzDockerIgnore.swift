// libFuzzer on the `.dockerignore` matcher: the body is FuzzTargets' `FuzzTarget.dockerIgnore`, which
// stops the process on anything it does not handle as designed.
import CLibFuzzer
import Foundation
import FuzzTargets

func runInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzTarget.dockerIgnore.run(data.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

// The program's entry point under -parse-as-library (see FuzzComposeLoader).
@_cdecl("FuzzDockerIgnore_main")
public func fuzzDockerIgnoreMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv = Optional(argv)
    return LLVMFuzzerRunDriver(&argc, &argv, runInput)
}
