/// When an environment is destroyed.
public enum CleanupPolicy: String, Codable, Sendable, CaseIterable, SchemaEnum {
    /// At the end of the test that asked for it.
    case endOfTest = "end-of-test"
    /// When its session ends (the default).
    case endOfSession = "end-of-session"
    /// Only when its TTL expires.
    case afterTTL = "after-ttl"
    /// Never automatically: kept for debugging until removed by hand.
    case keep
}
