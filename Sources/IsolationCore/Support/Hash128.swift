import Foundation

/// FNV-1a over 128 bits: a content hash for cache keys (not for security).
enum Hash128 {
    static func hex(_ data: Data) -> String {
        var high: UInt64 = 0x6c62_272e_07bb_0142
        var low: UInt64 = 0x62b8_2175_6295_c58d
        for byte in data {
            low ^= UInt64(byte)
            // Multiply the 128-bit state by the FNV prime 2^88 + 0x13b.
            let (carry, productLow) = low.multipliedFullWidth(by: 0x13b)
            high = high &* 0x13b &+ carry &+ (low << 24)
            low = productLow
        }
        return String(format: "%016llx%016llx", high, low)
    }
}
