/// Several files merged in order, as `docker compose -f a.yml -f b.yml` does, on the trees
/// before they are read into the model (so every value still knows its file and line):
///
/// - mappings merge key by key, recursively; a later scalar or list replaces an earlier one;
/// - `ports`, `cap_add`, `cap_drop`, `tmpfs`, `extra_hosts`, `profiles`, `env_file` and a
///   network's `aliases` are appended, leaving out entries written the same way twice;
/// - `volumes` of a service merge by mount target: a later mount at the same path replaces it;
/// - `command`, `entrypoint` and `healthcheck.test` are replaced whole;
/// - the short forms that have a mapping form are made mappings first (`build: ./dir`,
///   `environment`/`labels`/`args` lists, `depends_on` and `networks` lists), so a list in one
///   file and a mapping in the other merge key by key.
enum ComposeMerge {
    static func merge(_ base: ComposeNode, _ override: ComposeNode) -> ComposeNode {
        merge(base, override, path: [])
    }

    /// `KEY=VALUE` → (`KEY`, `VALUE`); `KEY` alone → (`KEY`, nil).
    static func splitAssignment(_ text: String) throws -> (String, String?) {
        guard let equals = text.firstIndex(of: "=") else { return (text, nil) }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }

    private static let appended: Set<String> = ["ports", "cap_add", "cap_drop", "tmpfs", "extra_hosts", "profiles", "env_file"]

    private static func merge(_ base: ComposeNode, _ override: ComposeNode, path: [String]) -> ComposeNode {
        let inService = path.count >= 2 && path[0] == "services"
        let key = path.last ?? ""
        if inService && path.count == 3 && appended.contains(key)
            || inService && path.count == 5 && path[2] == "networks" && key == "aliases"
        {
            return append(base, override)
        }
        if inService && path.count == 3 && key == "volumes" {
            return mergeMounts(base, override)
        }
        guard case .mapping(let baseEntries) = base.value, case .mapping(let overrideEntries) = override.value else {
            return override
        }
        var entries = baseEntries
        var positions = Dictionary(entries.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
        for entry in overrideEntries {
            if let index = positions[entry.key] {
                entries[index].value = merge(entries[index].value, entry.value, path: path + [entry.key])
            } else {
                positions[entry.key] = entries.count
                entries.append(entry)
            }
        }
        var merged = base
        merged.value = .mapping(entries)
        return merged
    }

    private static func append(_ base: ComposeNode, _ override: ComposeNode) -> ComposeNode {
        guard let baseItems = base.items, let overrideItems = override.items else { return override }
        var items = baseItems
        var written = Set(baseItems.compactMap { if case .scalar(let text, _) = $0.value { text } else { nil } })
        for item in overrideItems {
            if case .scalar(let text, _) = item.value, !written.insert(text).inserted { continue }
            items.append(item)
        }
        var merged = override
        merged.value = .sequence(items)
        return merged
    }

    private static func mergeMounts(_ base: ComposeNode, _ override: ComposeNode) -> ComposeNode {
        guard let baseItems = base.items, let overrideItems = override.items else { return override }
        var items = baseItems
        var positions: [String: Int] = [:]
        for (index, item) in items.enumerated() { if let target = mountTarget(item) { positions[target] = index } }
        for item in overrideItems {
            if let target = mountTarget(item), let index = positions[target] {
                items[index] = item
            } else {
                if let target = mountTarget(item) { positions[target] = items.count }
                items.append(item)
            }
        }
        var merged = override
        merged.value = .sequence(items)
        return merged
    }

    private static func mountTarget(_ node: ComposeNode) -> String? {
        switch node.value {
        case .scalar(let text, _):
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            return String(parts.count == 1 ? parts[0] : parts[1])
        case .mapping(let entries):
            if case .scalar(let target, _)? = entries["target"]?.value { return target }
            return nil
        case .sequence:
            return nil
        }
    }
}

extension ComposeMerge {
    /// Short forms made long where the long form is a mapping, in one file's tree. A value of the
    /// wrong kind is left as it is, for the reading step to report with its line.
    static func normalize(_ root: ComposeNode) -> ComposeNode {
        var root = rewrite(root, "services") { $0.mapValues(normalizeService) }
        for key in ["networks", "volumes"] {
            root = rewrite(root, key) { $0.mapValues { rewrite($0, "labels", assignments) } }
        }
        return root
    }

    private static func normalizeService(_ service: ComposeNode) -> ComposeNode {
        var service = service
        service = rewrite(service, "build") { build in
            guard case .scalar(_, isNull: false) = build.value else { return rewrite(build, "args", assignments) }
            return ComposeNode(
                .mapping([ComposeEntry(key: "context", keyLocation: build.location, value: build)]), at: build.location)
        }
        for key in ["environment", "labels"] { service = rewrite(service, key, assignments) }
        for key in ["depends_on", "networks"] { service = rewrite(service, key, namesToKeys) }
        for key in ["env_file", "tmpfs"] {
            service = rewrite(service, key) { node in
                guard case .scalar(_, isNull: false) = node.value else { return node }
                return ComposeNode(.sequence([node]), at: node.location)
            }
        }
        return service
    }

    /// `[A=1, B]` → `{A: "1", B: null}`; later entries win.
    private static func assignments(_ node: ComposeNode) -> ComposeNode {
        guard let items = node.items else { return node }
        var entries: [ComposeEntry] = []
        var positions: [String: Int] = [:]
        for item in items {
            guard case .scalar(let text, isNull: false) = item.value, let (key, value) = try? splitAssignment(text) else {
                return node
            }
            let valueNode = ComposeNode(.scalar(value ?? "", isNull: value == nil), at: item.location)
            entries.set(ComposeEntry(key: key, keyLocation: item.location, value: valueNode), positions: &positions)
        }
        return ComposeNode(.mapping(entries), at: node.location)
    }

    /// `[db, cache]` → `{db: null, cache: null}`.
    private static func namesToKeys(_ node: ComposeNode) -> ComposeNode {
        guard let items = node.items else { return node }
        var entries: [ComposeEntry] = []
        var positions: [String: Int] = [:]
        for item in items {
            guard case .scalar(let name, isNull: false) = item.value else { return node }
            let empty = ComposeNode(.scalar("", isNull: true), at: item.location)
            entries.set(ComposeEntry(key: name, keyLocation: item.location, value: empty), positions: &positions)
        }
        return ComposeNode(.mapping(entries), at: node.location)
    }

    private static func rewrite(_ node: ComposeNode, _ key: String, _ transform: (ComposeNode) -> ComposeNode) -> ComposeNode {
        guard case .mapping(var entries) = node.value, let index = entries.firstIndex(where: { $0.key == key }) else {
            return node
        }
        entries[index].value = transform(entries[index].value)
        var node = node
        node.value = .mapping(entries)
        return node
    }
}

extension ComposeNode {
    fileprivate func mapValues(_ transform: (ComposeNode) -> ComposeNode) -> ComposeNode {
        guard case .mapping(var entries) = value else { return self }
        for index in entries.indices { entries[index].value = transform(entries[index].value) }
        var node = self
        node.value = .mapping(entries)
        return node
    }
}

extension [ComposeEntry] {
    /// Sets `entry`, replacing an entry of the same key in place (where it was first written).
    fileprivate mutating func set(_ entry: ComposeEntry, positions: inout [String: Int]) {
        if let index = positions[entry.key] {
            self[index] = entry
        } else {
            positions[entry.key] = count
            append(entry)
        }
    }
}
