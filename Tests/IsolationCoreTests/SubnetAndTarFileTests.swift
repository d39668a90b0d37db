import DockerAPI
import Foundation
import Testing

@testable import IsolationCore

/// The pure parts of subnet choice and of the streamed tar file.
@Suite struct SubnetAndTarFileTests {
    @Test func subnetsParseOverlapAndSplit() throws {
        let pool = try #require(IPv4Subnet("10.213.0.0/16"))
        #expect(pool.description == "10.213.0.0/16")
        #expect(IPv4Subnet("10.213.7.9/24")?.description == "10.213.7.0/24")
        #expect(IPv4Subnet("fd00::/64") == nil)
        #expect(IPv4Subnet("10.1.2/24") == nil)
        let parts = pool.split(into: 24)
        #expect(parts.count == 256)
        #expect(parts[5].description == "10.213.5.0/24")
        #expect(parts[5].overlaps(IPv4Subnet("10.213.5.128/28")!))
        #expect(parts[5].overlaps(IPv4Subnet("10.0.0.0/8")!))
        #expect(!parts[5].overlaps(parts[6]))
        #expect(!parts[5].overlaps(IPv4Subnet("172.17.0.0/16")!))
    }

    @Test func hostRoutesComeFromTheKernelTableWithoutTheDefaultRoute() {
        let table = """
            Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
            eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
            docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
            wg0\t00D50A0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
            """
        #expect(IPv4Subnet.hostRoutes(table).map(\.description) == ["172.17.0.0/16", "10.10.213.0/24"])
    }

    @Test func aTarFileIsWrittenMemberByMemberAndReadBackByOffsets() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ptest-iso-tarfile-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("out.tar")
        let big = Data((0..<1_500_000).map { UInt8(truncatingIfNeeded: $0 * 7) })
        let writer = try TarFile.Writer(creating: file)
        try await writer.add("snapshot.json", contents: Data("{}".utf8))
        try await writer.add("volumes/big.tar") { output in
            // In pieces, as a streamed reply arrives.
            for start in stride(from: 0, to: big.count, by: 100_000) {
                try output.append(Array(big[start..<min(start + 100_000, big.count)]))
            }
        }
        try await writer.add("empty", contents: Data())
        try writer.finish()

        let members = try TarFile.members(of: file)
        #expect(members.map(\.name) == ["snapshot.json", "volumes/big.tar", "empty"])
        #expect(members.map(\.size) == [2, Int64(big.count), 0])
        #expect(try TarFile.contents(of: members[0], in: file) == Data("{}".utf8))
        #expect(try TarFile.contents(of: members[1], in: file) == big)
        // Other tools read it too.
        let listing = Process()
        listing.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        listing.arguments = ["tar", "tf", file.path]
        let pipe = Pipe()
        listing.standardOutput = pipe
        try listing.run()
        let names = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        listing.waitUntilExit()
        #expect(names == "snapshot.json\nvolumes/big.tar\nempty\n")
        // Stopping early reads no further headers.
        #expect(try TarFile.members(of: file) { $0.name == "snapshot.json" }.count == 1)
    }
}
