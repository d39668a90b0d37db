// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

// The Swift benchmarks, a package apart so the library's own build and tests never compile them.
// The Python ones (suite, compose, engines, server, ABI) live beside them and need no build here.
let package = Package(
    name: "ptest-isolation-bench",
    products: [
        .executable(name: "docker-bench", targets: ["DockerBench"]),
        .executable(name: "venv-bench", targets: ["VenvBench"]),
        .executable(name: "manager-exec-bench", targets: ["ManagerExecBench"]),
    ],
    dependencies: [
        // The library under measurement, this checkout's.
        .package(name: "ptest-isolation", path: "..")
    ],
    targets: [
        .target(
            name: "BenchSupport",
            path: "BenchSupport",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "DockerBench",
            dependencies: [.product(name: "DockerAPI", package: "ptest-isolation"), "BenchSupport"],
            path: "DockerBench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "VenvBench",
            dependencies: [.product(name: "IsolationCore", package: "ptest-isolation"), "BenchSupport"],
            path: "VenvBench",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ManagerExecBench",
            dependencies: [
                .product(name: "IsolationCore", package: "ptest-isolation"),
                .product(name: "DockerAPI", package: "ptest-isolation"),
                "BenchSupport",
            ],
            path: "ManagerExecBench",
            swiftSettings: swiftSettings
        ),
    ]
)
