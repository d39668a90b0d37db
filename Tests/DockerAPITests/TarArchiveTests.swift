import Foundation
import Testing

@testable import DockerAPI

@Suite struct TarArchiveTests {
    // MARK: Writing and reading back

    @Test func roundTripKeepsTreeModesTimesAndLinks() throws {
        try withTemporaryDirectory { dir in
            let source = dir.appendingPathComponent("src")
            try makeSampleTree(at: source)

            let archive = try TarArchive.archive(directory: source)
            let entries = try Dictionary(uniqueKeysWithValues: TarArchive.entries(in: archive).map { ($0.path, $0) })
            #expect(entries["bin/run.sh"]?.mode == 0o755)
            #expect(entries["secret.key"]?.mode == 0o600)
            #expect(entries["secret.key"]?.mtime == Date(timeIntervalSince1970: 1_000_000_000))
            #expect(entries["bin/suid"]?.mode == 0o4755)
            #expect(entries["sticky"]?.kind == .directory)
            #expect(entries["sticky"]?.mode == 0o1777)
            #expect(entries["emptydir"]?.kind == .directory)
            #expect(entries["link"]?.kind == .symlink)
            #expect(entries["link"]?.linkTarget == "a/b/c/deep.txt")
            #expect(entries[longPath]?.contents == Data("long".utf8))
            #expect(entries["empty.bin"]?.contents == Data())
            #expect(entries["big.bin"]?.contents == bigData)

            let destination = dir.appendingPathComponent("dst")
            try TarArchive.extract(archive, to: destination)
            #expect(snapshot(destination) == snapshot(source))

            // Extracting again replaces what is there.
            try TarArchive.extract(archive, to: destination)
            #expect(snapshot(destination) == snapshot(source))
        }
    }

    @Test func sameTreeGivesSameBytes() throws {
        try withTemporaryDirectory { dir in
            try makeSampleTree(at: dir)
            let first = try TarArchive.archive(directory: dir)
            let second = try TarArchive.archive(directory: dir)
            #expect(first == second)
            #expect(first.count % 512 == 0)
        }
    }

    @Test func rootNamePrefixesEveryEntry() throws {
        try withTemporaryDirectory { dir in
            let source = dir.appendingPathComponent("src")
            try makeSampleTree(at: source)

            let archive = try TarArchive.archive(directory: source, includingRootNamed: "project")
            let entries = try TarArchive.entries(in: archive)
            #expect(entries.first?.path == "project")
            #expect(entries.first?.kind == .directory)
            #expect(entries.allSatisfy { $0.path == "project" || $0.path.hasPrefix("project/") })

            let destination = dir.appendingPathComponent("dst")
            try TarArchive.extract(archive, to: destination)
            #expect(snapshot(destination.appendingPathComponent("project")) == snapshot(source))
        }
    }

    @Test func singleFileTakesTheGivenName() throws {
        try withTemporaryDirectory { dir in
            let file = dir.appendingPathComponent("run.sh")
            try writeFile(file, "#!/bin/sh\n", mode: 0o755)

            let entries = try TarArchive.entries(in: TarArchive.archive(file: file, as: "renamed.sh"))
            #expect(entries.map(\.path) == ["renamed.sh"])
            #expect(entries.first?.mode == 0o755)
            #expect(throws: TarArchiveError.self) { try TarArchive.archive(file: dir, as: "x") }
        }
    }

    @Test func socketsAndFIFOsAreLeftOut() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appendingPathComponent("file"), "x")
            #expect(mkfifo(dir.appendingPathComponent("fifo").path, 0o644) == 0)
            let entries = try TarArchive.entries(in: TarArchive.archive(directory: dir))
            #expect(entries.map(\.path) == ["file"])
        }
    }

    // MARK: Filtering

    @Test func filterIsAskedBelowExcludedDirectories() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appendingPathComponent("skip/keep.txt"), "k")
            try writeFile(dir.appendingPathComponent("skip/drop.txt"), "d")
            try writeFile(dir.appendingPathComponent("top.txt"), "t")

            let archive = try TarArchive.archive(
                directory: dir, filter: { path in !path.hasPrefix("skip") || path == "skip/keep.txt" })
            #expect(try TarArchive.entries(in: archive).map(\.path) == ["skip/keep.txt", "top.txt"])

            // Missing parent entries are created on extraction.
            let destination = dir.appendingPathComponent("out")
            try TarArchive.extract(archive, to: destination)
            #expect(FileManager.default.contents(atPath: destination.path + "/skip/keep.txt") == Data("k".utf8))
        }
    }

    @Test func descendIntoExcludedCanPruneASubtree() throws {
        try withTemporaryDirectory { dir in
            try writeFile(dir.appendingPathComponent("skip/inner/file"), "x")
            var asked: [String] = []
            _ = try TarArchive.archive(
                directory: dir,
                filter: { path in
                    asked.append(path)
                    return path != "skip"
                },
                descendIntoExcluded: { _ in false })
            #expect(asked == ["skip"])
        }
    }

    // MARK: Interoperability with GNU tar

    @Test func gnuTarListsOurArchiveWithModesAndNames() throws {
        try withTemporaryDirectory { dir in
            let source = dir.appendingPathComponent("src")
            try makeSampleTree(at: source)
            let tarFile = dir.appendingPathComponent("ours.tar")
            try TarArchive.archive(directory: source).write(to: tarFile)

            let (status, listing) = try runTool(["tar", "-tvf", tarFile.path])
            #expect(status == 0)
            let lines = listing.split(separator: "\n").map(String.init)
            func line(_ name: String) -> String? {
                lines.first { $0.hasSuffix(" " + name) || $0.contains(" " + name + " -> ") }
            }
            #expect(line("bin/run.sh")?.hasPrefix("-rwxr-xr-x 0/0") == true)
            #expect(line("secret.key")?.hasPrefix("-rw------- 0/0") == true)
            #expect(line("bin/suid")?.hasPrefix("-rwsr-xr-x") == true)
            #expect(line("sticky/")?.hasPrefix("drwxrwxrwt") == true)
            #expect(line("emptydir/")?.hasPrefix("drwxr-xr-x") == true)
            #expect(line("link")?.hasSuffix("-> a/b/c/deep.txt") == true)
            #expect(line(longPath) != nil)

            let extracted = dir.appendingPathComponent("gnu")
            try FileManager.default.createDirectory(at: extracted, withIntermediateDirectories: true)
            #expect(try runTool(["tar", "-xpf", tarFile.path, "-C", extracted.path]).status == 0)
            #expect(snapshot(extracted) == snapshot(source))
        }
    }

    @Test(arguments: ["gnu", "pax", "ustar"])
    func readsWhatGNUTarWrites(format: String) throws {
        try withTemporaryDirectory { dir in
            let source = dir.appendingPathComponent("src")
            // ustar can only hold long paths split at a `/` into prefix and name.
            let long = format == "ustar" ? longDirectory + "/ustar.txt" : longPath
            try writeFile(source.appendingPathComponent("x/short.txt"), "short", mode: 0o751)
            try writeFile(source.appendingPathComponent(long), "long", mode: 0o600)
            try writeFile(source.appendingPathComponent("hard1"), "hard")
            #expect(link(source.path + "/hard1", source.path + "/hard2") == 0)
            let longTarget = String(repeating: "t", count: 120)
            if format != "ustar" {
                try FileManager.default.createSymbolicLink(
                    atPath: source.path + "/ll", withDestinationPath: longTarget)
            }
            let tarFile = dir.appendingPathComponent("gnu.tar")
            #expect(try runTool(["tar", "--format=\(format)", "-cf", tarFile.path, "-C", source.path, "."]).status == 0)

            let archive = try Data(contentsOf: tarFile)
            let entries = try Dictionary(
                TarArchive.entries(in: archive).map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
            #expect(entries["./x"]?.kind == .directory)
            #expect(entries["./x/short.txt"]?.mode == 0o751)
            #expect(entries["./x/short.txt"]?.contents == Data("short".utf8))
            #expect(entries["./" + long]?.contents == Data("long".utf8))
            #expect(entries.values.contains { $0.kind == .hardlink })
            if format != "ustar" {
                #expect(entries["./ll"]?.linkTarget == longTarget)
            }

            let destination = dir.appendingPathComponent("dst")
            try TarArchive.extract(archive, to: destination)
            var info = stat()
            #expect(stat(destination.path + "/hard1", &info) == 0)
            #expect(info.st_nlink == 2)
            #expect(FileManager.default.contents(atPath: destination.path + "/" + long) == Data("long".utf8))
        }
    }

    // MARK: Extraction safety

    @Test(arguments: ["../evil", "a/../../evil", "/tmp/ptest-iso-absolute-evil"])
    func extractRefusesPathsOutsideTheDestination(path: String) throws {
        try withTemporaryDirectory { dir in
            let destination = dir.appendingPathComponent("dst")
            let archive = craftedArchive([(path, .file, "", Data("x".utf8))])
            let error = #expect(throws: TarArchiveError.self) { try TarArchive.extract(archive, to: destination) }
            #expect(error?.code == .unsafePath)
            #expect(!FileManager.default.fileExists(atPath: dir.path + "/evil"))
            #expect(!FileManager.default.fileExists(atPath: "/tmp/ptest-iso-absolute-evil"))
        }
    }

    @Test func extractRefusesWritingThroughASymlinkThatLeaves() throws {
        try withTemporaryDirectory { dir in
            let outside = dir.appendingPathComponent("outside")
            try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
            for target in [outside.path, "../outside"] {
                let archive = craftedArchive([
                    ("escape", .symlink, target, Data()),
                    ("escape/evil", .file, "", Data("x".utf8)),
                ])
                let error = #expect(throws: TarArchiveError.self) {
                    try TarArchive.extract(archive, to: dir.appendingPathComponent("dst"))
                }
                #expect(error?.code == .unsafePath)
            }
            let hardLink = craftedArchive([("h", .hardlink, "../outside/x", Data())])
            let error = #expect(throws: TarArchiveError.self) {
                try TarArchive.extract(hardLink, to: dir.appendingPathComponent("dst"))
            }
            #expect(error?.code == .unsafePath)
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
        }
    }

    @Test func extractFollowsSymlinksThatStayInside() throws {
        try withTemporaryDirectory { dir in
            let archive = craftedArchive([
                ("real", .directory, "", Data()),
                ("alias", .symlink, "real", Data()),
                ("alias/file", .file, "", Data("ok".utf8)),
                ("tmp/../cleaned", .file, "", Data("c".utf8)),
            ])
            try TarArchive.extract(archive, to: dir)
            #expect(FileManager.default.contents(atPath: dir.path + "/real/file") == Data("ok".utf8))
            #expect(FileManager.default.contents(atPath: dir.path + "/cleaned") == Data("c".utf8))
        }
    }

    @Test func extractReplacesASymlinkRatherThanWritingThroughIt() throws {
        try withTemporaryDirectory { dir in
            let destination = dir.appendingPathComponent("dst")
            try FileManager.default.createDirectory(at: destination, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                atPath: destination.path + "/trap", withDestinationPath: dir.path + "/trapped")

            try TarArchive.extract(craftedArchive([("trap", .file, "", Data("t".utf8))]), to: destination)
            #expect(!FileManager.default.fileExists(atPath: dir.path + "/trapped"))
            #expect(FileManager.default.contents(atPath: destination.path + "/trap") == Data("t".utf8))
        }
    }

    // MARK: Damaged and unusual archives

    @Test func badChecksumIsReported() throws {
        var archive = craftedArchive([("file", .file, "", Data("x".utf8))])
        archive[10] ^= 0xFF
        let error = #expect(throws: TarArchiveError.self) { try TarArchive.entries(in: archive) }
        #expect(error?.code == .badChecksum)
    }

    @Test func truncatedArchiveIsReported() throws {
        let archive = craftedArchive([("file", .file, "", Data(repeating: 1, count: 4000))])
        let contents = #expect(throws: TarArchiveError.self) { try TarArchive.entries(in: archive.prefix(2000)) }
        #expect(contents?.code == .truncated)
        #expect(contents?.path == "file")
        let header = #expect(throws: TarArchiveError.self) { try TarArchive.entries(in: archive.prefix(300)) }
        #expect(header?.code == .truncated)
    }

    @Test func missingEndMarkerAndPaddingAreTolerated() throws {
        let archive = craftedArchive([("file", .file, "", Data("abc".utf8))], endMarker: false)
        #expect(try TarArchive.entries(in: archive).count == 1)
        #expect(try TarArchive.entries(in: archive.prefix(515)).first?.contents == Data("abc".utf8))
        #expect(try TarArchive.entries(in: Data()).isEmpty)
    }

    @Test func paxRecordsOverrideTheHeader() throws {
        func record(_ key: String, _ value: String) -> String {
            let body = " \(key)=\(value)\n"
            var length = body.utf8.count + 1
            while String(length).utf8.count + body.utf8.count != length { length += 1 }
            return "\(length)\(body)"
        }
        let records = Data(
            (record("size", "5") + record("path", "pax/name.txt") + record("mtime", "12345.5")
                + record("comment", "a=b")).utf8)
        var archive = Data()
        TarArchive.appendHeaders(
            name: "PaxHeaders/x", mode: 0o644, size: records.count, mtime: 0, typeflag: UInt8(ascii: "x"),
            linkName: "", to: &archive)
        archive.append(records)
        archive.append(Data(count: TarArchive.padded(records.count) - records.count))
        TarArchive.appendHeaders(
            name: "short", mode: 0o644, size: 0, mtime: 0, typeflag: UInt8(ascii: "0"), linkName: "", to: &archive)
        archive.append(Data("hello".utf8))
        archive.append(Data(count: 507 + 1024))

        let entries = try TarArchive.entries(in: archive)
        #expect(entries.count == 1)
        #expect(entries.first?.path == "pax/name.txt")
        #expect(entries.first?.contents == Data("hello".utf8))
        #expect(entries.first?.mtime == Date(timeIntervalSince1970: 12345.5))
    }

    @Test func sizesOverEightGiBGoThroughPAX() throws {
        var header = Data()
        TarArchive.appendHeaders(
            name: "huge", mode: 0o644, size: 9_000_000_000, mtime: 1, typeflag: UInt8(ascii: "0"),
            linkName: "", to: &header)
        #expect(header.count == 3 * 512)
        #expect(String(decoding: header[512..<1024], as: UTF8.self).contains("size=9000000000\n"))
        let error = #expect(throws: TarArchiveError.self) { try TarArchive.entries(in: header) }
        #expect(error?.code == .truncated)
    }
}

// MARK: - Helpers

private let longDirectory = String(repeating: "d", count: 60) + "/" + String(repeating: "e", count: 60)
/// 150 bytes: too long for ustar's name field, so it needs PAX or a GNU long name.
private let longPath = longDirectory + "/" + String(repeating: "f", count: 29)

private let bigData: Data = {
    var data = Data(count: 3 * 1024 * 1024)
    data.withUnsafeMutableBytes { bytes in
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 13) }
    }
    return data
}()

private func withTemporaryDirectory(_ body: (URL) throws -> Void) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("TarArchiveTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer {
        // Read-only directories would stop the removal when not running as root.
        if let paths = FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] {
            for path in paths { chmod(dir.path + "/" + path, 0o755) }
        }
        try? FileManager.default.removeItem(at: dir)
    }
    try body(dir)
}

private func writeFile(_ url: URL, _ contents: String, mode: Int = 0o644) throws {
    try writeFile(url, Data(contents.utf8), mode: mode)
}

private func writeFile(_ url: URL, _ contents: Data, mode: Int) throws {
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try contents.write(to: url)
    #expect(chmod(url.path, mode_t(mode)) == 0)
}

/// Nested directories, every file kind and mode the archive must keep.
private func makeSampleTree(at root: URL) throws {
    try writeFile(root.appendingPathComponent("a/b/c/deep.txt"), "deep")
    try writeFile(root.appendingPathComponent("bin/run.sh"), "#!/bin/sh\necho hi\n", mode: 0o755)
    try writeFile(root.appendingPathComponent("bin/suid"), "s", mode: 0o4755)
    try writeFile(root.appendingPathComponent("secret.key"), "k", mode: 0o600)
    try writeFile(root.appendingPathComponent("empty.bin"), "")
    try writeFile(root.appendingPathComponent("big.bin"), bigData, mode: 0o644)
    try writeFile(root.appendingPathComponent(longPath), "long", mode: 0o640)
    try FileManager.default.createDirectory(
        at: root.appendingPathComponent("emptydir"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(
        at: root.appendingPathComponent("sticky"), withIntermediateDirectories: true)
    #expect(chmod(root.path + "/sticky", 0o1777) == 0)
    try FileManager.default.createSymbolicLink(atPath: root.path + "/link", withDestinationPath: "a/b/c/deep.txt")
    try writeFile(root.appendingPathComponent("ro/inside.txt"), "ro", mode: 0o444)
    #expect(chmod(root.path + "/ro", 0o555) == 0)
    let time = timespec(tv_sec: 1_000_000_000, tv_nsec: 0)
    #expect(utimensat(AT_FDCWD, root.path + "/secret.key", [time, time], 0) == 0)
}

private struct SnapshotNode: Equatable, CustomStringConvertible {
    var kind: Character
    var mode: UInt32
    var mtime: Int
    var contents: Data?
    var link: String?

    var description: String { "\(kind) \(String(mode, radix: 8)) \(mtime) \(contents?.count ?? 0) \(link ?? "")" }
}

/// What a tree holds, keyed by relative path: kinds, modes, file mtimes, contents and link targets.
private func snapshot(_ root: URL) -> [String: SnapshotNode] {
    var nodes: [String: SnapshotNode] = [:]
    let paths = FileManager.default.enumerator(atPath: root.path)?.allObjects as? [String] ?? []
    for path in paths {
        let full = root.path + "/" + path
        var info = stat()
        guard lstat(full, &info) == 0 else { continue }
        var node = SnapshotNode(kind: "?", mode: UInt32(info.st_mode) & 0o7777, mtime: Int(info.st_mtim.tv_sec))
        switch UInt32(info.st_mode) & UInt32(S_IFMT) {
        case UInt32(S_IFREG):
            node.kind = "f"
            node.contents = FileManager.default.contents(atPath: full)
        case UInt32(S_IFDIR):
            node.kind = "d"
        case UInt32(S_IFLNK):
            node.kind = "l"
            node.link = try? FileManager.default.destinationOfSymbolicLink(atPath: full)
            node.mtime = 0
        default:
            break
        }
        nodes[path] = node
    }
    return nodes
}

/// An archive with exactly these members, to build what our writer never would.
private func craftedArchive(
    _ members: [(path: String, kind: TarArchive.Entry.Kind, link: String, contents: Data)], endMarker: Bool = true
) -> Data {
    var archive = Data()
    for member in members {
        let typeflag: Character =
            switch member.kind {
            case .directory: "5"
            case .symlink: "2"
            case .hardlink: "1"
            default: "0"
            }
        TarArchive.appendHeaders(
            name: member.path, mode: member.kind == .directory ? 0o755 : 0o644, size: member.contents.count, mtime: 0,
            typeflag: typeflag.asciiValue!, linkName: member.link, to: &archive)
        archive.append(member.contents)
        archive.append(Data(count: TarArchive.padded(member.contents.count) - member.contents.count))
    }
    if endMarker { archive.append(Data(count: 1024)) }
    return archive
}

private func runTool(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}
