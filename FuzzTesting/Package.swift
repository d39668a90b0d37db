// swift-tools-version: 6.1
// libFuzzer for the compose loader, a package apart because every target of its build is
// compiled with -sanitize=fuzzer and -parse-as-library, as swift-protobuf's FuzzTesting package
// does. scripts/fuzz-compose.sh builds and runs it:
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
    ]
)
