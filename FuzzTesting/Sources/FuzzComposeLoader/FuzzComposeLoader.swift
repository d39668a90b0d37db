// libFuzzer on the compose loader: each input is a compose file, written where the loader
// reads it. The loader must return a project or throw an `IsolationError`; anything else, a
// crash, or an input over libFuzzer's -timeout is a finding.
import CLibFuzzer
import Foundation
import IsolationCore

func loadComposeFile(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    // One file per fuzzing process: libFuzzer's -jobs/-workers run several at once.
    let directory = NSTemporaryDirectory() + "fuzz-compose-loader-\(getpid())"
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let path = directory + "/compose.yaml"
    let bytes = data.map { Data(bytes: $0, count: count) } ?? Data()
    guard FileManager.default.createFile(atPath: path, contents: bytes) else { fatalError("cannot write \(path)") }
    do {
        _ = try ComposeLoader.load(files: [path], environment: ["HOME": "/home/ci"], profiles: ["*"])
    } catch is IsolationError {
        // A refusal is the expected outcome for most inputs.
    } catch {
        fatalError("not an IsolationError: \(error)")
    }
    return 0
}

// SwiftPM links an executable as if `main` were `<module>_main` (so tests can link it too), and
// the module is built with -parse-as-library, so this is the program's entry point: it hands
// libFuzzer the arguments and the callback.
@_cdecl("FuzzComposeLoader_main")
public func fuzzComposeLoaderMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argc = argc
    var argv = Optional(argv)
    return LLVMFuzzerRunDriver(&argc, &argv, loadComposeFile)
}
