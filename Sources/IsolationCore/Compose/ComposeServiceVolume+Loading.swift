/// A service's `volumes:` entry: short syntax `[SOURCE:]TARGET[:MODE]` (a source starting with
/// `/`, `.` or `~` is a bind mount, anything else a named volume) or the long syntax.
extension ComposeServiceVolume {
    static func load(_ node: ComposeNode, _ path: String, context: ComposeLoadingContext) throws -> ComposeServiceVolume {
        let mount = node.entries != nil ? try loadLong(node, path, context: context) : try loadShort(node, path, context: context)
        guard mount.target.hasPrefix("/") else {
            throw ComposeError.at(node, path, "the mount target '\(ComposePath.excerpt(mount.target))' must be an absolute path")
        }
        if mount.type == .volume, let name = mount.source, !context.volumes.contains(name) {
            throw ComposeError.at(
                node, path,
                "names the volume '\(name)', which the top-level 'volumes' does not declare"
                    + ComposeError.hint(name, among: context.volumes.sorted()))
        }
        return mount
    }

    private static func loadShort(_ node: ComposeNode, _ path: String, context: ComposeLoadingContext) throws
        -> ComposeServiceVolume
    {
        let text = try node.nonEmptyString(path)
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 3, !parts.contains(where: \.isEmpty) else {
            throw ComposeError.at(node, path, "'\(ComposePath.excerpt(text))' is not SOURCE:TARGET[:MODE]")
        }
        if parts.count == 1 { return ComposeServiceVolume(type: .volume, target: parts[0]) }
        var readOnly = false
        if parts.count == 3 {
            for option in parts[2].split(separator: ",") {
                switch option {
                case "ro": readOnly = true
                case "rw": readOnly = false
                // Docker Desktop's consistency hints; Docker on Linux ignores them itself.
                case "cached", "delegated", "consistent": break
                default:
                    throw ComposeError.at(node, path, "the mount mode '\(option)' is not supported (ro or rw)")
                }
            }
        }
        let source = parts[0]
        if source.hasPrefix("/") || source.hasPrefix(".") || source.hasPrefix("~") {
            return ComposeServiceVolume(type: .bind, source: context.absolute(source), target: parts[1], readOnly: readOnly)
        }
        return ComposeServiceVolume(type: .volume, source: source, target: parts[1], readOnly: readOnly)
    }

    private static func loadLong(_ node: ComposeNode, _ path: String, context: ComposeLoadingContext) throws
        -> ComposeServiceVolume
    {
        let fields = try node.fields(path, known: ComposeKeys.serviceVolume)
        guard let typeNode = fields["type"] else {
            throw ComposeError.at(node, path, "needs 'type': volume, bind or tmpfs")
        }
        let typeName = try typeNode.string(ComposePath.key(path, "type"))
        guard let type = Kind(rawValue: typeName) else {
            throw ComposeError.at(
                typeNode, ComposePath.key(path, "type"),
                "'\(ComposePath.excerpt(typeName))' is not volume, bind or tmpfs"
                    + ComposeError.hint(typeName, among: Kind.allCases.map(\.rawValue)))
        }
        guard let targetNode = fields["target"] else { throw ComposeError.at(node, path, "needs 'target', the path inside") }
        var mount = ComposeServiceVolume(type: type, target: try targetNode.nonEmptyString(ComposePath.key(path, "target")))
        for entry in fields {
            let fieldPath = ComposePath.key(path, entry.key)
            switch entry.key {
            case "source":
                guard type != .tmpfs else { throw ComposeError.at(entry.value, fieldPath, "a tmpfs mount has no source") }
                let source = try entry.value.nonEmptyString(fieldPath)
                mount.source = type == .bind ? context.absolute(source) : source
            case "read_only": mount.readOnly = try entry.value.bool(fieldPath)
            case "tmpfs":
                guard type == .tmpfs else { throw ComposeError.at(entry.value, fieldPath, "is for type: tmpfs only") }
                let options = try entry.value.fields(fieldPath, known: ComposeKeys.tmpfsOptions)
                if let size = options["size"] { mount.tmpfsSizeBytes = try size.byteSize(ComposePath.key(fieldPath, "size")) }
            default: break
            }
        }
        if type == .bind && mount.source == nil { throw ComposeError.at(node, path, "a bind mount needs 'source'") }
        return mount
    }
}
