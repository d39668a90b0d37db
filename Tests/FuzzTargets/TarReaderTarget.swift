import DockerAPI
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The input is a tar archive. Both readers (in memory, and from a file by offsets) return
/// members or throw `TarArchiveError`; the extractor, into `<scratch>/a/b/dest`, writes
/// nothing outside `dest` (an absolute path, `..` or a symlinked parent must be refused).
/// When the input's length is odd, header checksums are first set right, so mutations reach
/// past the checksum.
enum TarReaderTarget {
    static func run(_ input: Data) {
        let archive = input.count % 2 == 1 ? withChecksumsFixed(input) : input
        let scratch = NSTemporaryDirectory() + "fuzz-tar-reader-\(getpid())"
        let destination = scratch + "/a/b/dest"
        try? FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        defer { removeAll(scratch) }
        expectTarError { _ = try TarArchive.entries(in: archive) }
        let file = scratch + "/input.tar"
        guard FileManager.default.createFile(atPath: file, contents: archive) else { finding(.tarReader, "cannot write \(file)") }
        expectTarError { _ = try TarFile.members(of: URL(fileURLWithPath: file)) }
        unlink(file)
        expectTarError { try TarArchive.extract(archive, to: URL(fileURLWithPath: destination)) }
        expectTarError {
            try TarArchive.extract(archive, to: URL(fileURLWithPath: destination), renamingRoot: (from: "a", to: "renamed"))
        }
        for path in tree(scratch) where !(scratch + "/a/b/dest").hasPrefix(path) && !path.hasPrefix(destination + "/") {
            finding(.tarReader, "the extractor wrote \(path), outside \(destination)")
        }
    }

    private static func expectTarError(_ body: () throws -> Void) {
        do {
            try body()
        } catch is TarArchiveError {
        } catch {
            finding(.tarReader, "not a TarArchiveError: \(error)")
        }
    }

    /// Every path under `root`, symlinks not followed.
    private static func tree(_ root: String) -> [String] {
        var found: [String] = []
        var pending = [root]
        while let directory = pending.popLast() {
            _ = chmod(directory, 0o700)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                let path = directory + "/" + name
                found.append(path)
                var info = stat()
                if lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { pending.append(path) }
            }
        }
        return found
    }

    /// Read-only directories the extractor restored would stop a plain removal.
    private static func removeAll(_ root: String) {
        _ = tree(root)
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Each 512-byte block's checksum field set to what the block sums to.
    static func withChecksumsFixed(_ input: Data) -> Data {
        var bytes = [UInt8](input)
        for start in stride(from: 0, to: bytes.count - 511, by: 512) {
            for index in start + 148..<start + 156 { bytes[index] = 0x20 }
            let sum = bytes[start..<start + 512].reduce(0) { $0 + Int($1) }
            let digits = Array(String(sum, radix: 8).utf8)
            let field = [UInt8](repeating: UInt8(ascii: "0"), count: max(0, 6 - digits.count)) + digits.suffix(6) + [0]
            bytes.replaceSubrange(start + 148..<start + 155, with: field)
        }
        return Data(bytes)
    }

    /// A tar of a file, a directory, a symlink, a hard link and a long (PAX) name, with an
    /// odd length so that checksums are kept right through mutations.
    static var seeds: [Data] {
        let members: [(name: String, type: UInt8, link: String, contents: Data)] = [
            ("dir/", UInt8(ascii: "5"), "", Data()),
            ("dir/file.txt", UInt8(ascii: "0"), "", Data("hello\n".utf8)),
            ("dir/link", UInt8(ascii: "2"), "file.txt", Data()),
            ("dir/hard", UInt8(ascii: "1"), "dir/file.txt", Data()),
            (String(repeating: "long/", count: 30) + "name", UInt8(ascii: "0"), "", Data("x".utf8)),
        ]
        var seeds: [Data] = []
        for count in [members.count, 2] {
            var archive = Data()
            for member in members.prefix(count) {
                TarArchive.appendHeaders(
                    name: member.name, mode: 0o644, size: member.contents.count, mtime: 0, typeflag: member.type,
                    linkName: member.link, to: &archive)
                archive.append(member.contents)
                archive.append(Data(count: (512 - member.contents.count % 512) % 512))
            }
            archive.append(Data(count: 1025))
            seeds.append(archive)
        }
        return seeds
    }

    static let dictionary: [Data] =
        [
            "ustar\u{0}00", "ustar  \u{0}", "../", "/", "..", "./", "x", "L", "K", "g", "5", "2", "1",
            "27 path=../../escape/file\n", "20 linkpath=/etc/x\n", "16 size=99999\n", "0000644\u{0}", "77777777777\u{0}",
        ].map { Data($0.utf8) } + [Data([0x80] + [UInt8](repeating: 0, count: 9) + [1, 0])]
}
