/// What every method creates, so the daemon does the same work for each.
struct BenchTarget: Sendable {
    static let benchLabel = "ptest-iso.bench"
    static let runLabel = "ptest-iso.bench.run"

    var image: String
    var command = ["sleep", "3600"]
    /// `ptest-iso.bench=1` plus this run's id, which the final cleanup filters on.
    var labels: [String: String]
    /// DockerAPI's `ContainerSpec` sets this by default; the CLI and the floor ask for it too.
    var securityOpt = ["no-new-privileges:true"]

    init(image: String, runID: String) {
        self.image = image
        self.labels = [Self.benchLabel: "1", Self.runLabel: runID]
    }

    var runFilter: String { "\(Self.runLabel)=\(labels[Self.runLabel] ?? "")" }
}
