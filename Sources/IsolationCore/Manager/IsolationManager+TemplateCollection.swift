/// What a template collection removed, or in a dry run would remove.
public struct TemplateCollection: Codable, Sendable, Hashable {
    /// The bound the cache was brought under.
    public var limitBytes: Int64
    /// The cache's size before.
    public var totalBytes: Int64
    /// Least recently used first.
    public var evicted: [TemplateInfo]
    public var freedBytes: Int64

    init(limitBytes: Int64, totalBytes: Int64, evicted: [TemplateInfo]) {
        self.limitBytes = limitBytes
        self.totalBytes = totalBytes
        self.evicted = evicted
        self.freedBytes = evicted.reduce(0) { $0 + $1.sizeBytes }
    }
}

extension IsolationManager {
    /// Evicts least recently used virtualenv templates until the cache fits
    /// `maxBytes` (default: its configured bound). A dry run lists what would
    /// go; a real run skips templates another process is building or using.
    public func collectTemplates(maxBytes: Int64? = nil, dryRun: Bool) throws -> TemplateCollection {
        let all = templates()
        let limit = maxBytes ?? virtualenvEngine?.templates.maxBytes ?? configuration.templateCacheBytes
        let total = all.reduce(0) { $0 + $1.sizeBytes }
        guard limit >= 0 else {
            throw IsolationError(.invalidSpec, field: "max_bytes", "\(limit) must not be negative")
        }
        if dryRun {
            var remaining = total
            var planned: [TemplateInfo] = []
            for template in all where remaining > limit {
                planned.append(template)
                remaining -= template.sizeBytes
            }
            return TemplateCollection(limitBytes: limit, totalBytes: total, evicted: planned)
        }
        let evicted = Set(try collectTemplates(maxBytes: limit))
        return TemplateCollection(limitBytes: limit, totalBytes: total, evicted: all.filter { evicted.contains($0.key) })
    }
}
