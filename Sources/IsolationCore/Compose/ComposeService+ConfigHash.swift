import Foundation

extension ComposeService {
    /// A hash of everything the service's containers are made from, equal in every process: the
    /// service as sorted JSON (`String(describing:)` is not, as a dictionary's order is seeded per
    /// process). It is the `com.docker.compose.config-hash` label, by which a stack's snapshot finds
    /// a service whose files changed since the stack came up.
    var configHash: String {
        Hash128.hex((try? StatePayload.encode(self)) ?? Data(name.utf8))
    }
}
