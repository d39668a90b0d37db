/// Top-level `networks:` and `volumes:` entries; an empty entry (`data:`) takes the defaults.
extension ComposeNetwork {
    static func load(_ node: ComposeNode, _ path: String) throws -> ComposeNetwork {
        var network = ComposeNetwork()
        for entry in try node.fields(path, known: ComposeKeys.network) {
            let fieldPath = ComposePath.key(path, entry.key)
            switch entry.key {
            case "external": network.external = try entry.value.bool(fieldPath)
            case "name": network.name = try entry.value.nonEmptyString(fieldPath)
            case "internal": network.internal = try entry.value.bool(fieldPath)
            case "labels": network.labels = try ComposeDeclarations.labels(entry.value, fieldPath)
            case "driver":
                // Only a bridge network can be made on one daemon without a swarm or plugins.
                guard try entry.value.string(fieldPath) == "bridge" else {
                    throw ComposeError.at(entry.value, fieldPath, "only the 'bridge' driver is supported")
                }
            default: break
            }
        }
        return network
    }
}

extension ComposeVolume {
    static func load(_ node: ComposeNode, _ path: String) throws -> ComposeVolume {
        var volume = ComposeVolume()
        for entry in try node.fields(path, known: ComposeKeys.volume) {
            let fieldPath = ComposePath.key(path, entry.key)
            switch entry.key {
            case "external": volume.external = try entry.value.bool(fieldPath)
            case "name": volume.name = try entry.value.nonEmptyString(fieldPath)
            case "labels": volume.labels = try ComposeDeclarations.labels(entry.value, fieldPath)
            case "driver":
                guard try entry.value.string(fieldPath) == "local" else {
                    throw ComposeError.at(entry.value, fieldPath, "only the 'local' driver is supported")
                }
            default: break
            }
        }
        return volume
    }
}

enum ComposeDeclarations {
    static func labels(_ node: ComposeNode, _ path: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for (key, value, _) in try node.stringMap(path) { result[key] = value ?? "" }
        return result
    }
}
