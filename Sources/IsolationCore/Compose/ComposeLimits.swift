/// Bounds on what the compose loader reads, so a runaway or hostile file is refused with a
/// clear error instead of exhausting memory, the stack or time.
enum ComposeLimits {
    /// A compose file's size: real ones are a few KiB; this is the spec documents' limit.
    static let maxFileBytes = SchemaJSON.maxDocumentBytes
    /// Nodes in one file after aliases are expanded: a "billion laughs" file is a few hundred
    /// bytes that expand to 10⁹ nodes, so the count, not the size, is what stops it.
    static let maxNodes = 100_000
    /// Nesting of mappings and sequences; compose files nest fewer than ten levels.
    static let maxDepth = 64
    /// The text scan before YAML parsing refuses nesting beyond this, because the YAML composer
    /// recurses once per level and a file of 2 million `[` would overflow the stack.
    /// It over-estimates (it counts indicators, not nodes), hence more room than ``maxDepth``.
    static let maxScannedDepth = 256
}
