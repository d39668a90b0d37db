public import Foundation

/// What the fuzzers exercise, one body per target, shared by libFuzzer (`FuzzTesting/`), the
/// seeded mutation pass of an ordinary build (`Tests/ByteFuzz`) and the replay of kept findings
/// in the test suite (`Tests/FuzzFindings/<target>/`). A body returns for any input it handles
/// as designed (a result or the error it documents) and stops the process otherwise.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// The tar reader (in memory and from a file) and the extractor into a temporary directory.
    case tarReader = "tar-reader"
    /// The `.dockerignore` matcher: a pattern file, then the paths to match.
    case dockerIgnore = "dockerignore"
    /// The JSON the C ABI takes: request decoding and the calls answered without a manager.
    case abiJSON = "abi-json"

    public func run(_ input: Data) {
        switch self {
        case .tarReader: TarReaderTarget.run(input)
        case .dockerIgnore: DockerIgnoreTarget.run(input)
        case .abiJSON: ABIJSONTarget.run(input)
        }
    }

    /// Inputs a mutation pass starts from, so it reaches past the first checks.
    public var seeds: [Data] {
        switch self {
        case .tarReader: TarReaderTarget.seeds
        case .dockerIgnore: DockerIgnoreTarget.seeds
        case .abiJSON: ABIJSONTarget.seeds
        }
    }

    /// Byte strings worth splicing into inputs: field values and syntax the target reads.
    public var dictionary: [Data] {
        switch self {
        case .tarReader: TarReaderTarget.dictionary
        case .dockerIgnore: DockerIgnoreTarget.dictionary
        case .abiJSON: ABIJSONTarget.dictionary
        }
    }
}

/// Stops the process with the input's problem: the fuzzer's finding.
func finding(_ target: FuzzTarget, _ problem: String) -> Never {
    fatalError("\(target.rawValue): \(problem)")
}
