// swift-tools-version: 6.1
// libFuzzer for the compose loader, the tar reader and extractor, the `.dockerignore` matcher and
// the C ABI's JSON, a package apart because every target of its build is compiled with
// -sanitize=fuzzer and -parse-as-library, as swift-protobuf's FuzzTesting package does. The last
// three are one executable, FuzzBytes (the target named by FUZZ_TARGET), whose bodies are the main
// package's FuzzTargets, which ByteFuzz and the test suite run too. scripts/fuzz.sh builds and runs
// them:
//
//   swift build --package-path FuzzTesting -c release -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library
import PackageDescription

let package = Package(
    name: "FuzzTesting",
    dependencies: [
        .package(name: "ptest-isolation", path: "..")
    ],
    targets: [
        // libFuzzer's driver, declared for Swift.
        .target(name: "CLibFuzzer"),
        .executableTarget(
            name: "FuzzComposeLoader",
            dependencies: ["CLibFuzzer", .product(name: "IsolationCore", package: "ptest-isolation")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "FuzzBytes",
            dependencies: ["CLibFuzzer", .product(name: "FuzzTargets", package: "ptest-isolation")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
