import DockerAPI
import Foundation

/// A commit records the container's own configuration as the image's `ContainerConfig`, whatever
/// configuration the commit is given, so an `env` secret's value would stay in the snapshot image
/// (and in every archive exported from it). The image is therefore made again from its own
/// configuration without that record: `docker load` of a tar holding only a configuration and a
/// manifest, whose layers the daemon already has, so nothing is copied.
extension DockerEngine {
    /// Returns `image`, or the id of its replacement (same layers, same `Config`, tagged `reference`)
    /// when its recorded container configuration holds a value of one of the spec's `env` secrets.
    func withoutSecretValues(_ image: String, reference: String, spec: EnvironmentSpec, client: DockerClient) async throws -> String {
        let names = Set(spec.secrets.filter { $0.delivery == .env }.map(\.name))
        guard !names.isEmpty else { return image }
        let inspect = try JSONSerialization.jsonObject(with: try await client.inspectImageJSON(image)) as? [String: Any] ?? [:]
        // API 1.45 and later leave ContainerConfig out of the reply even where the image still records it.
        let shown = inspect["ContainerConfig"] as? [String: Any]
        let recorded = (shown?["Env"] as? [String]) ?? []
        let holdsValue = recorded.contains { entry in
            let parts = entry.split(separator: "=", maxSplits: 1)
            return parts.count == 2 && names.contains(String(parts[0])) && !parts[1].isEmpty
        }
        guard holdsValue || shown == nil else { return image }
        let replacement: String
        do {
            _ = try await client.loadImage(tar: try Self.configurationOnlyArchive(of: inspect, reference: reference))
            replacement = try await client.inspectImage(reference).id
        } catch {
            // Unseen and not replaceable: an image store that loads no configuration without its layers
            // (containerd's), whose commits record no container configuration either.
            if holdsValue || Task.isCancelled { throw error }
            return image
        }
        do {
            // The committed image now has no tag and no child: the replacement was loaded, not built on it.
            try await client.removeImage(image, force: true)
        } catch {
            try? await client.removeImage(replacement, force: true)
            throw error
        }
        return replacement
    }

    /// A `docker save`-shaped tar with the image's configuration (no `container_config`) and a
    /// manifest naming its layers, whose files are absent: the daemon loads only layers it lacks.
    static func configurationOnlyArchive(of inspect: [String: Any], reference: String) throws -> Data {
        guard let layers = (inspect["RootFS"] as? [String: Any])?["Layers"] as? [String], let id = inspect["Id"] as? String else {
            throw IsolationError(.snapshotFailed, "the committed image \(inspect["Id"] ?? "?") describes no layers")
        }
        var configuration: [String: Any] = [
            "config": inspect["Config"] ?? [:],
            "rootfs": ["type": "layers", "diff_ids": layers],
        ]
        let copied = [
            "Architecture": "architecture", "Os": "os", "Variant": "variant", "Created": "created", "Author": "author",
            "Comment": "comment", "DockerVersion": "docker_version",
        ]
        for (from, to) in copied {
            if let value = inspect[from] as? String, !value.isEmpty { configuration[to] = value }
        }
        let configurationName = "\(id.replacingOccurrences(of: "sha256:", with: "")).json"
        let manifest: [[String: Any]] = [
            [
                "Config": configurationName, "RepoTags": [reference],
                "Layers": layers.map { "\($0.replacingOccurrences(of: "sha256:", with: ""))/layer.tar" },
            ]
        ]
        let files = try [(configurationName, configuration as Any), ("manifest.json", manifest as Any)].map { name, object in
            (name: name, contents: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        }
        return TarArchive.archive(files: files)
    }
}
