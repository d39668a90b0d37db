import DockerAPI
import Foundation
import Testing

@Suite struct ArchiveTests {
    @Test func aFileTreeCopiedInAndOutKeepsContentsAndModes() async throws {
        let root = try TestDocker.temporaryDirectory("tree")
        defer { try? FileManager.default.removeItem(at: root) }
        let tree = root.appendingPathComponent("project")
        let fm = FileManager.default
        try fm.createDirectory(at: tree.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try fm.createDirectory(at: tree.appendingPathComponent("empty"), withIntermediateDirectories: true)
        try Data("#!/bin/sh\necho run\n".utf8).write(to: tree.appendingPathComponent("bin/run.sh"))
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tree.appendingPathComponent("bin/run.sh").path)
        try Data("secret\n".utf8).write(to: tree.appendingPathComponent("private.txt"))
        try fm.setAttributes([.posixPermissions: 0o600], ofItemAtPath: tree.appendingPathComponent("private.txt").path)
        let big = Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try big.write(to: tree.appendingPathComponent("blob.bin"))
        try fm.createSymbolicLink(atPath: tree.appendingPathComponent("link").path, withDestinationPath: "bin/run.sh")

        try await TestDocker.withClient { client in
            try await TestDocker.withContainer(client) { id in
                try await client.copyIn(id, from: tree, to: "/tmp")
                #expect(try await TestDocker.shell(client, id, "/tmp/project/bin/run.sh") == "run")
                #expect(
                    try await TestDocker.shell(client, id, "stat -c '%a' /tmp/project/bin/run.sh /tmp/project/private.txt | tr '\\n' ' '")
                        == "755 600")
                #expect(try await TestDocker.shell(client, id, "readlink /tmp/project/link") == "bin/run.sh")
                #expect(try await TestDocker.shell(client, id, "test -d /tmp/project/empty && echo dir") == "dir")
                #expect(try await TestDocker.shell(client, id, "wc -c < /tmp/project/blob.bin") == "300000")

                _ = try await TestDocker.shell(client, id, "echo changed >> /tmp/project/private.txt")
                let out = root.appendingPathComponent("out")
                try await client.copyOut(id, from: "/tmp/project", to: out)
                let copied = out.appendingPathComponent("project")
                #expect(try Data(contentsOf: copied.appendingPathComponent("blob.bin")) == big)
                #expect(try String(contentsOf: copied.appendingPathComponent("private.txt"), encoding: .utf8) == "secret\nchanged\n")
                let mode = try fm.attributesOfItem(atPath: copied.appendingPathComponent("bin/run.sh").path)[.posixPermissions] as? Int
                #expect(mode == 0o755)
                let privateMode =
                    try fm.attributesOfItem(atPath: copied.appendingPathComponent("private.txt").path)[.posixPermissions] as? Int
                #expect(privateMode == 0o600)
                #expect(try fm.destinationOfSymbolicLink(atPath: copied.appendingPathComponent("link").path) == "bin/run.sh")

                let (_, stat) = try await client.getArchive(id, path: "/tmp/project/blob.bin")
                #expect(stat?.name == "blob.bin")
                #expect(stat?.size == 300_000)
                #expect(stat?.isDirectory == false)
            }
        }
    }

    @Test func copyingASingleFileKeepsItsName() async throws {
        let root = try TestDocker.temporaryDirectory("file")
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("settings.ini")
        try Data("[a]\nb=1\n".utf8).write(to: file)
        try await TestDocker.withClient { client in
            try await TestDocker.withContainer(client) { id in
                try await client.copyIn(id, from: file, to: "/tmp")
                #expect(try await TestDocker.shell(client, id, "cat /tmp/settings.ini") == "[a]\nb=1")
            }
        }
    }

    @Test func copyingIntoAMissingDirectoryOrFromAMissingPathFails() async throws {
        try await TestDocker.withClient { client in
            try await TestDocker.withContainer(client) { id in
                let tar = Data(count: 1024)
                let missingDir = await #expect(throws: DockerError.self) {
                    try await client.putArchive(id, path: "/no/such/dir", tar: tar)
                }
                #expect(missingDir?.code == .notFound)
                let missingFile = await #expect(throws: DockerError.self) {
                    try await client.getArchive(id, path: "/no/such/file")
                }
                #expect(missingFile?.code == .notFound)
                let missingHost = await #expect(throws: DockerError.self) {
                    try await client.copyIn(id, from: URL(fileURLWithPath: "/no/such/host/path"), to: "/tmp")
                }
                #expect(missingHost?.code == .invalidConfiguration)
            }
        }
    }
}
