// libFuzzer on the tar readers and the extractor: the body is FuzzTargets' `FuzzTarget.tarReader`, which
// stops the process on anything it does not handle as designed.
import CLibFuzzer
import Foundation
import FuzzTargets

func runInput(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    FuzzTarget.tarReader.run(data.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

// The program's entry point under -parse-as-library (see FuzzComposeLoader).
@_cdecl("FuzzTarReader_main")
public func fuzzTarReaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv = Optional(argv)
    return LLVMFuzzerRunDriver(&argc, &argv, runInput)
}
