/// The JSON the floor and the reference send and read: the same bodies
/// DockerAPI encodes for this target, with the Engine API's field names.
enum FloorBodies {
    /// The body DockerAPI's `ContainerSpec` encodes for this target.
    struct Create: Encodable {
        struct Host: Encodable {
            var securityOpt: [String]
            enum CodingKeys: String, CodingKey { case securityOpt = "SecurityOpt" }
        }
        var image: String
        var cmd: [String]
        var labels: [String: String]
        var hostConfig: Host

        enum CodingKeys: String, CodingKey {
            case image = "Image", cmd = "Cmd", labels = "Labels", hostConfig = "HostConfig"
        }

        init(_ target: BenchTarget) {
            image = target.image
            cmd = target.command
            labels = target.labels
            hostConfig = Host(securityOpt: target.securityOpt)
        }
    }

    /// The body DockerAPI's `exec` sends when there is no stdin.
    struct ExecCreate: Encodable {
        var attachStdin = false
        var attachStdout = true
        var attachStderr = true
        var tty = false
        var cmd: [String]

        enum CodingKeys: String, CodingKey {
            case attachStdin = "AttachStdin", attachStdout = "AttachStdout", attachStderr = "AttachStderr"
            case tty = "Tty", cmd = "Cmd"
        }
    }

    struct IDReply: Decodable {
        var id: String
        enum CodingKeys: String, CodingKey { case id = "Id" }
    }

    struct ExecInspect: Decodable {
        var running: Bool
        var exitCode: Int?
        enum CodingKeys: String, CodingKey { case running = "Running", exitCode = "ExitCode" }
    }
}
