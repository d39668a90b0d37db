import DockerAPI
import Foundation
import Testing

/// `docker save`/`docker load` and the archive API through host files, streamed.
@Suite struct ImageTransferTests {
    @Test func aSavedImageLoadsBackUnderItsID() async throws {
        let directory = try TestDocker.temporaryDirectory("save")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("busybox.tar")
        try await TestDocker.withClient { client in
            let image = try await client.inspectImage(TestDocker.busybox)
            let size = try await client.saveImage(image.id, to: file)
            let onDisk = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int64
            #expect(size > 0 && onDisk == size)
            let loaded = try await client.loadImage(from: file)
            #expect(loaded == [image.id])
        }
    }

    @Test func aBrokenTarIsAStreamErrorAndAnUnknownImageIsNotFound() async throws {
        let directory = try TestDocker.temporaryDirectory("load")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("image.tar")
        try await TestDocker.withClient { client in
            try await client.saveImage(TestDocker.busybox, to: file)
            // Cut inside the first layer: the daemon answers 200, then an error line.
            let truncated = directory.appendingPathComponent("truncated.tar")
            try Data(try Data(contentsOf: file).prefix(3000)).write(to: truncated)
            let broken = await #expect(throws: DockerError.self) { try await client.loadImage(from: truncated) }
            #expect(broken?.code == .streamError)
            #expect(broken?.message.contains("unexpected EOF") == true, "\(String(describing: broken))")
            let missing = await #expect(throws: DockerError.self) {
                try await client.saveImage("ptest-iso-test/missing:nope", to: directory.appendingPathComponent("missing.tar"))
            }
            #expect(missing?.code == .notFound)
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("missing.tar").path))
        }
    }

    @Test func archivesGoThroughFilesAndStraightBetweenContainers() async throws {
        let directory = try TestDocker.temporaryDirectory("archive")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("data.tar")
        try await TestDocker.withClient { client in
            try await TestDocker.withContainer(client) { source in
                _ = try await TestDocker.shell(
                    client, source, "mkdir -p /data/sub && echo one > /data/a && echo two > /data/sub/b && chmod 700 /data")
                try await client.getArchive(source, path: "/data", to: file)
                try await TestDocker.withContainer(client) { target in
                    _ = try await TestDocker.shell(client, target, "mkdir -p /from-file /direct")
                    try await client.putArchive(target, path: "/from-file", from: file)
                    try await client.copyArchive(from: source, path: "/data", to: target, directory: "/direct")
                    let listing = try await TestDocker.shell(
                        client, target, "for d in /from-file /direct; do cat $d/data/a $d/data/sub/b; stat -c %a $d/data; done")
                    #expect(listing == "one\ntwo\n700\none\ntwo\n700")
                }
                let missing = await #expect(throws: DockerError.self) {
                    try await client.copyArchive(from: source, path: "/nope", to: source, directory: "/tmp")
                }
                #expect(missing?.code == .notFound)
            }
        }
    }
}
