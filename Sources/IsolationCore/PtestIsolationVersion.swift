/// The release version of ptest-isolation, shared by the C ABI, the CLI and the Python package.
public enum PtestIsolationVersion {
    public static let current = "0.1.0"
}
