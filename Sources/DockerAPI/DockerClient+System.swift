import AsyncHTTPClient
import NIOCore

extension DockerClient {
    /// Checks that the daemon answers, and reads its API version header.
    public func ping() async throws -> PingResponse {
        let reply = try await data(.GET, "/_ping", versioned: false, timeout: configuration.connectTimeout + .seconds(5))
        let headers = reply.headers
        return PingResponse(
            apiVersion: headers.first(name: "API-Version").flatMap(APIVersion.init),
            osType: headers.first(name: "OSType"),
            builderVersion: headers.first(name: "Builder-Version")
        )
    }

    /// The daemon's version and API range.
    public func version() async throws -> VersionResponse {
        try await version(versioned: true)
    }

    func version(versioned: Bool) async throws -> VersionResponse {
        try await json(.GET, "/version", versioned: versioned)
    }

    /// System-wide information: storage driver, cgroups, CPUs, memory, swarm state.
    public func info() async throws -> SystemInfo {
        try await json(.GET, "/info")
    }
}
