import Foundation

/// An IPv4 network, `10.213.4.0/24`: enough arithmetic to pick a subnet that overlaps nothing.
struct IPv4Subnet: Hashable, Sendable, CustomStringConvertible {
    /// The first address, host bits cleared.
    var address: UInt32
    var prefixLength: Int

    init(address: UInt32, prefixLength: Int) {
        self.prefixLength = max(0, min(32, prefixLength))
        self.address = address & Self.mask(self.prefixLength)
    }

    /// Parses `a.b.c.d/n`; `nil` for anything else (IPv6 subnets included).
    init?(_ text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let length = Int(parts[1]), (0...32).contains(length) else { return nil }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false).compactMap { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 < 256 }) else { return nil }
        self.init(address: octets.reduce(0) { $0 << 8 | $1 }, prefixLength: length)
    }

    static func mask(_ length: Int) -> UInt32 { length == 0 ? 0 : ~UInt32(0) << (32 - length) }

    /// Two subnets overlap when the shorter prefix covers the other's start.
    func overlaps(_ other: IPv4Subnet) -> Bool {
        let mask = Self.mask(min(prefixLength, other.prefixLength))
        return address & mask == other.address & mask
    }

    var description: String {
        "\(address >> 24).\(address >> 16 & 0xff).\(address >> 8 & 0xff).\(address & 0xff)/\(prefixLength)"
    }

    /// The `count` subnets of `length` bits inside this one, in order.
    func split(into length: Int) -> [IPv4Subnet] {
        guard length >= prefixLength, length <= 32 else { return [] }
        let count = 1 << (length - prefixLength)
        return (0..<count).map { IPv4Subnet(address: address + UInt32($0) << (32 - length), prefixLength: length) }
    }

    /// The host's IPv4 routes (`/proc/net/route`: little-endian hex destination and mask), without the default route.
    static func hostRoutes(_ table: String) -> [IPv4Subnet] {
        table.split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 8, let destination = UInt32(fields[1], radix: 16), let mask = UInt32(fields[7], radix: 16), mask != 0
            else { return nil }
            return IPv4Subnet(address: destination.byteSwapped, prefixLength: mask.nonzeroBitCount)
        }
    }
}
