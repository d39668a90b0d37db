// swift-tools-version: 6.1
import Foundation
import PackageDescription

/// The package root, for linker flags that need an absolute path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "ptest-isolation",
    products: [
        .library(name: "DockerAPI", targets: ["DockerAPI"]),
        .library(name: "IsolationCore", targets: ["IsolationCore"]),
        // Dynamic: this is the shared library the Python package loads with ctypes.
        .library(name: "CPtestIsolation", type: .dynamic, targets: ["CPtestIsolation"]),
        .executable(name: "ptest-iso", targets: ["ptest-iso"]),
        .executable(name: "docker-api-demo", targets: ["DockerAPIDemo"]),
        // The fuzz targets' bodies, for the libFuzzer package apart (FuzzTesting/).
        .library(name: "FuzzTargets", targets: ["FuzzTargets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess.git", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-async-algorithms.git", from: "1.1.4"),
    ],
    targets: [
        .target(
            name: "DockerAPI",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "IsolationCore",
            dependencies: [
                "DockerAPI",
                // The readiness check `http` asks the published port from the host.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                // A terminal session's pseudo-terminal is read through `NIOPipeBootstrap`.
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
                // Compose files: `Yams.compose` keeps each node's line for errors.
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings
        ),
        // The JSON protocol (methods, strict requests, error objects): one implementation for the
        // C ABI and for `ptest-iso serve`'s `/v1/call/{method}`.
        .target(
            name: "IsolationProtocol",
            dependencies: ["IsolationCore", "DockerAPI"],
            swiftSettings: swiftSettings
        ),
        // `ptest-iso serve`: the JSON protocol and auth over HTTP (Hummingbird), one file per concern.
        .target(
            name: "IsolationServer",
            dependencies: [
                "IsolationCore",
                // put_archive/get_archive read and write tar archives.
                "DockerAPI",
                "IsolationProtocol",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                // `serve --tls-cert/--tls-key`.
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // A streamed call's chunks reach the response with back-pressure (AsyncChannel).
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CPtestIsolation",
            dependencies: ["IsolationCore", "IsolationProtocol"],
            exclude: ["include", "exports.map"],
            swiftSettings: swiftSettings,
            linkerSettings: [
                // Export only the C ABI: Swift symbols stay private to the library.
                .unsafeFlags(["-Xlinker", "--version-script=\(packageRoot)/Sources/CPtestIsolation/exports.map"])
            ]
        ),
        .executableTarget(
            name: "ptest-iso",
            dependencies: [
                "IsolationCore",
                "IsolationServer",
                // `--url`: the CLI as a client of a server.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "DockerAPIDemo",
            dependencies: ["DockerAPI"],
            path: "examples/docker-api-demo",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "DockerAPITests",
            dependencies: ["DockerAPI"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IsolationServerTests",
            dependencies: [
                "IsolationServer",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CPtestIsolationTests",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "IsolationStress",
            dependencies: ["IsolationCore"],
            path: "Tests/IsolationStress",
            swiftSettings: swiftSettings
        ),
        // The compose loader's mutation fuzzer (scripts/fuzz-compose.sh): a supervisor that runs the
        // loader in a child process of itself, so a crash or a hang is caught and its input saved.
        .executableTarget(
            name: "ComposeFuzz",
            dependencies: [
                "IsolationCore",
                "FuzzTargets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tests/ComposeFuzz",
            swiftSettings: swiftSettings
        ),
        // One body per fuzz target (tar reader, .dockerignore, the ABI's JSON), driven by libFuzzer
        // (FuzzTesting/), by ByteFuzz's seeded mutations, and by the replay of kept findings.
        .target(
            name: "FuzzTargets",
            dependencies: ["DockerAPI", "IsolationCore", "IsolationProtocol"],
            path: "Tests/FuzzTargets",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "ByteFuzz",
            dependencies: [
                "FuzzTargets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tests/ByteFuzz",
            swiftSettings: swiftSettings
        ),
        // What the core's and the CLI's tests share: running the built `ptest-iso`, a private
        // state directory, wheels made at test time, loopback TCP helpers.
        .target(
            name: "TestSupport",
            dependencies: ["IsolationCore"],
            path: "Tests/TestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IsolationCoreTests",
            dependencies: ["IsolationCore", "IsolationStress", "ComposeFuzz", "FuzzTargets", "TestSupport"],
            swiftSettings: swiftSettings
        ),
        // The CLI's tests, mirroring Sources/ptest-iso: they run the built binary as a user would.
        .testTarget(
            name: "PtestIsoTests",
            dependencies: ["IsolationCore", "TestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
