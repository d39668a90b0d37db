/// `ports:` entries: the short syntax `[HOST_IP:][PUBLISHED[-END]:]TARGET[-END][/PROTOCOL]`
/// (ranges expand to one port each; `[::1]:8080:80` for IPv6) and the long syntax.
extension ComposePort {
    static func load(_ node: ComposeNode, _ path: String) throws -> [ComposePort] {
        if node.entries != nil { return [try loadLong(node, path)] }
        let text = try node.nonEmptyString(path)
        func fail(_ problem: String) -> IsolationError {
            ComposeError.at(
                node, path, "'\(ComposePath.excerpt(text))' \(problem); write it as 80, 8080:80, 127.0.0.1:8080:80 or 8080:80/udp")
        }
        var spec = Substring(text)
        var protocolName = "tcp"
        if let slash = spec.lastIndex(of: "/") {
            protocolName = String(spec[spec.index(after: slash)...])
            spec = spec[..<slash]
            guard ["tcp", "udp", "sctp"].contains(protocolName) else { throw fail("has an unknown protocol '\(protocolName)'") }
        }
        var hostIP: String?
        if spec.hasPrefix("["), let close = spec.firstIndex(of: "]") {
            hostIP = String(spec[spec.index(after: spec.startIndex)..<close])
            spec = spec[spec.index(after: close)...]
            guard spec.hasPrefix(":") else { throw fail("has nothing after its IPv6 address") }
            spec = spec.dropFirst()
        }
        var parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard (1...3).contains(parts.count), hostIP == nil || parts.count == 2 else { throw fail("has too many ':'") }
        if parts.count == 3 { hostIP = parts.removeFirst() }
        guard let targets = range(parts.last!) else { throw fail("has no valid container port") }
        var published: ClosedRange<Int>?
        if parts.count == 2, !parts[0].isEmpty {
            guard let range = range(parts[0]) else { throw fail("has no valid published port") }
            published = range
        }
        if let published, published.count != targets.count {
            throw fail("maps \(published.count) published ports to \(targets.count) container ports")
        }
        if let ip = hostIP, ip.isEmpty { hostIP = nil }
        return targets.enumerated().map { offset, target in
            ComposePort(
                target: target, published: published.map { $0.lowerBound + offset }, hostIP: hostIP, protocolName: protocolName)
        }
    }

    private static func loadLong(_ node: ComposeNode, _ path: String) throws -> ComposePort {
        let fields = try node.fields(path, known: ComposeKeys.port)
        guard let targetNode = fields["target"] else { throw ComposeError.at(node, path, "needs 'target', the container port") }
        var port = ComposePort(target: try number(targetNode, ComposePath.key(path, "target")))
        for entry in fields {
            let fieldPath = ComposePath.key(path, entry.key)
            switch entry.key {
            case "published":
                if !entry.value.isNull, try entry.value.string(fieldPath) != "" {
                    port.published = try number(entry.value, fieldPath)
                }
            case "host_ip": port.hostIP = try entry.value.string(fieldPath)
            case "protocol":
                port.protocolName = try entry.value.string(fieldPath)
                guard ["tcp", "udp", "sctp"].contains(port.protocolName) else {
                    throw ComposeError.at(entry.value, fieldPath, "must be tcp, udp or sctp")
                }
            case "mode":
                // One engine publishes on its own host either way; the value is still checked.
                guard ["host", "ingress"].contains(try entry.value.string(fieldPath)) else {
                    throw ComposeError.at(entry.value, fieldPath, "must be host or ingress")
                }
            default: break
            }
        }
        return port
    }

    private static func number(_ node: ComposeNode, _ path: String) throws -> Int {
        let text = try node.string(path)
        guard let port = Int(text), (1...65535).contains(port) else {
            throw ComposeError.at(node, path, "'\(ComposePath.excerpt(text))' is not a port (1-65535)")
        }
        return port
    }

    /// `8080` or `8080-8090`.
    private static func range(_ text: String) -> ClosedRange<Int>? {
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(bounds.count), let low = Int(bounds[0]), let high = Int(bounds.last!),
            (1...65535).contains(low), (low...65535).contains(high)
        else { return nil }
        return low...high
    }
}
