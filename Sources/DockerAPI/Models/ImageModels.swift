public import Foundation

/// One row of `GET /images/json`.
public struct ImageSummary: Decodable, Sendable {
    public var id: String
    public var parentId: String?
    public var repoTags: [String]?
    public var repoDigests: [String]?
    public var created: Int64
    public var size: Int64
    public var labels: [String: String]?
    public var containers: Int?
}

/// `GET /images/{name}/json`.
public struct ImageInspect: Decodable, Sendable {
    public var id: String
    public var repoTags: [String]?
    public var repoDigests: [String]?
    public var created: String?
    public var size: Int64?
    public var architecture: String?
    public var os: String?
    public var config: Config?

    public struct Config: Decodable, Sendable {
        public var env: [String]?
        public var cmd: [String]?
        public var entrypoint: [String]?
        public var workingDir: String?
        public var labels: [String: String]?
        public var user: String?
    }
}

/// A progress line of a pull, push, build or import.
public struct ProgressEvent: Decodable, Sendable {
    public var status: String?
    public var id: String?
    public var progress: String?
    public var progressDetail: Detail?
    /// Build output (a line of a step's output).
    public var stream: String?
    public var error: String?
    public var errorDetail: ErrorDetail?
    public var aux: Aux?

    public struct Detail: Decodable, Sendable {
        public var current: Int64?
        public var total: Int64?
    }

    public struct ErrorDetail: Decodable, Sendable {
        public var message: String?
    }

    public struct Aux: Decodable, Sendable {
        /// The built image's id, at the end of a build.
        public var id: String?
        public var tag: String?
        public var digest: String?
    }
}

/// Credentials for a registry, sent as the `X-Registry-Auth` header.
public struct RegistryAuth: Encodable, Sendable {
    public var username: String?
    public var password: String?
    public var serveraddress: String?
    public var identitytoken: String?

    public init(username: String? = nil, password: String? = nil, serverAddress: String? = nil, identityToken: String? = nil) {
        self.username = username
        self.password = password
        self.serveraddress = serverAddress
        self.identitytoken = identityToken
    }

    /// The header value: URL-safe base64 of the JSON object.
    var headerValue: String {
        let json = (try? JSONEncoder().encode(self)) ?? Data("{}".utf8)
        return json.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
}

/// What to build an image from.
public struct ImageBuildOptions: Sendable {
    /// The context directory sent to the daemon (`.dockerignore` honoured).
    public var contextDirectory: URL
    /// The Dockerfile's path, relative to the context.
    public var dockerfile: String
    public var tags: [String]
    public var buildArgs: [String: String]
    public var labels: [String: String]
    public var noCache: Bool
    /// Remove intermediate containers, even after a failed build.
    public var removeIntermediate: Bool
    public var platform: String?
    public var target: String?

    public init(
        contextDirectory: URL, dockerfile: String = "Dockerfile", tags: [String] = [], buildArgs: [String: String] = [:],
        labels: [String: String] = [:], noCache: Bool = false, removeIntermediate: Bool = true, platform: String? = nil,
        target: String? = nil
    ) {
        self.contextDirectory = contextDirectory
        self.dockerfile = dockerfile
        self.tags = tags
        self.buildArgs = buildArgs
        self.labels = labels
        self.noCache = noCache
        self.removeIntermediate = removeIntermediate
        self.platform = platform
        self.target = target
    }
}

/// What `DELETE /images/{name}` did.
public struct ImageDeleteItem: Decodable, Sendable {
    public var untagged: String?
    public var deleted: String?
}

/// What a prune removed.
public struct PruneReport: Decodable, Sendable {
    public var imagesDeleted: [ImageDeleteItem]?
    public var containersDeleted: [String]?
    public var networksDeleted: [String]?
    public var volumesDeleted: [String]?
    public var spaceReclaimed: Int64?
}

/// Options for committing a container to an image.
public struct CommitOptions: Sendable {
    public var repository: String?
    public var tag: String?
    public var comment: String?
    public var author: String?
    /// Pause the container while committing (Docker's default), so the image is consistent.
    public var pause: Bool
    /// Dockerfile instructions applied to the image, e.g. `CMD ["sh"]`.
    public var changes: [String]
    public var labels: [String: String]

    public init(
        repository: String? = nil, tag: String? = nil, comment: String? = nil, author: String? = nil, pause: Bool = true,
        changes: [String] = [], labels: [String: String] = [:]
    ) {
        self.repository = repository
        self.tag = tag
        self.comment = comment
        self.author = author
        self.pause = pause
        self.changes = changes
        self.labels = labels
    }
}

/// Splits `name[:tag]` or `name@digest`; the tag defaults to `latest`.
struct ImageReference {
    var repository: String
    var tag: String

    init(_ reference: String) {
        if let at = reference.firstIndex(of: "@") {
            repository = String(reference[..<at])
            tag = String(reference[reference.index(after: at)...])
            return
        }
        let lastSlash = reference.lastIndex(of: "/") ?? reference.startIndex
        if let colon = reference[lastSlash...].lastIndex(of: ":") {
            repository = String(reference[..<colon])
            tag = String(reference[reference.index(after: colon)...])
        } else {
            repository = reference
            tag = "latest"
        }
    }
}
