import DockerAPI
import Foundation
import Synchronization
import Testing

@Suite struct ImageTests {
    @Test func testImagesArePresentAndInspectable() async throws {
        try await TestDocker.withClient { client in
            let busybox = try await client.inspectImage(TestDocker.busybox)
            #expect(busybox.repoTags?.contains(TestDocker.busybox) == true)
            let python = try await client.inspectImage(TestDocker.python)
            #expect(python.os == "linux")
            let listed = try await client.listImages(filters: ["reference": ["ptest-iso-test/*"]])
            #expect(listed.contains { $0.id == busybox.id })
        }
    }

    @Test func buildHonoursDockerignoreAndBuildArgsAndReportsProgress() async throws {
        let context = try TestDocker.temporaryDirectory("ctx")
        defer { try? FileManager.default.removeItem(at: context) }
        try """
        FROM \(TestDocker.busybox)
        ARG FLAVOUR=plain
        COPY . /ctx/
        RUN echo "$FLAVOUR" > /flavour
        CMD ["sh"]
        """.write(to: context.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
        try "secret.txt\nlogs/\n*.tmp\n!keep.tmp\n".write(
            to: context.appendingPathComponent(".dockerignore"), atomically: true, encoding: .utf8)
        for file in ["app.py", "secret.txt", "junk.tmp", "keep.tmp"] {
            try Data(file.utf8).write(to: context.appendingPathComponent(file))
        }
        try FileManager.default.createDirectory(at: context.appendingPathComponent("logs"), withIntermediateDirectories: true)
        try Data("log".utf8).write(to: context.appendingPathComponent("logs/a.log"))

        try await TestDocker.withClient { client in
            let tag = "ptest-iso-test/built:\(UUID().uuidString.prefix(8).lowercased())"
            let lines = Mutex<[String]>([])
            let id = try await client.buildImage(
                ImageBuildOptions(
                    contextDirectory: context, tags: [tag], buildArgs: ["FLAVOUR": "spicy"],
                    labels: [TestDocker.testLabel: "1", "ptest-iso.kind": "build"]
                ),
                onProgress: { event in if let line = event.stream { lines.withLock { $0.append(line) } } }
            )
            #expect(id.hasPrefix("sha256:"))
            #expect(lines.withLock { $0.contains { $0.contains("Step 1/") } })
            let inspect = try await client.inspectImage(tag)
            #expect(inspect.id == id)
            #expect(inspect.config?.labels?["ptest-iso.kind"] == "build")
            var spec = TestDocker.sleeper(tag)
            spec.command = ["sh", "-c", "cat /flavour; ls -A /ctx | sort | tr '\\n' ' '"]
            try await TestDocker.withContainer(client, spec) { container in
                _ = try await client.waitContainer(container)
                let logs = try await client.containerLogs(container)
                #expect(String(decoding: logs.stdout, as: UTF8.self) == "spicy\n.dockerignore Dockerfile app.py keep.tmp ")
            }
            let removed = try await client.removeImage(tag, force: true)
            #expect(removed.contains { $0.untagged == tag })
        }
    }

    @Test func aFailingBuildStepIsAStreamErrorWithTheStepsMessage() async throws {
        let context = try TestDocker.temporaryDirectory("bad")
        defer { try? FileManager.default.removeItem(at: context) }
        try "FROM \(TestDocker.busybox)\nRUN echo failing-step && exit 9\n".write(
            to: context.appendingPathComponent("Dockerfile"), atomically: true, encoding: .utf8)
        try await TestDocker.withClient { client in
            let error = await #expect(throws: DockerError.self) {
                try await client.buildImage(ImageBuildOptions(contextDirectory: context))
            }
            #expect(error?.code == .streamError)
            #expect(error?.message.contains("non-zero code: 9") == true)
            let missing = await #expect(throws: DockerError.self) {
                try await client.buildImage(ImageBuildOptions(contextDirectory: context, dockerfile: "Nope.dockerfile"))
            }
            #expect(missing?.code == .invalidConfiguration)
        }
    }

    @Test func tagInspectAndRemove() async throws {
        try await TestDocker.withClient { client in
            let tag = "ptest-iso-test/retag:\(UUID().uuidString.prefix(8).lowercased())"
            try await client.tagImage(TestDocker.busybox, as: tag)
            #expect(try await client.inspectImage(tag).id == (try await client.inspectImage(TestDocker.busybox).id))
            let removed = try await client.removeImage(tag)
            #expect(removed.map(\.untagged) == [tag])
            let gone = await #expect(throws: DockerError.self) { try await client.inspectImage(tag) }
            #expect(gone?.code == .notFound)
        }
    }

    @Test func importCreatesAnImageFromARootfsTarball() async throws {
        let rootfs = try TestDocker.temporaryDirectory("rootfs")
        defer { try? FileManager.default.removeItem(at: rootfs) }
        try FileManager.default.createDirectory(at: rootfs.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: rootfs.appendingPathComponent("bin/busybox").path)
        try FileManager.default.createSymbolicLink(atPath: rootfs.appendingPathComponent("bin/sh").path, withDestinationPath: "busybox")
        try Data("imported\n".utf8).write(to: rootfs.appendingPathComponent("marker"))
        let tar = try TarArchive.archive(directory: rootfs)

        try await TestDocker.withClient { client in
            let tag = "ptest-iso-test/imported:\(UUID().uuidString.prefix(8).lowercased())"
            let id = try await client.importImage(rootfs: tar, reference: tag, changes: ["CMD [\"/bin/sh\"]", "ENV IMPORTED=yes"])
            #expect(id.hasPrefix("sha256:"))
            let inspect = try await client.inspectImage(tag)
            #expect(inspect.config?.cmd == ["/bin/sh"])
            #expect(inspect.config?.env?.contains("IMPORTED=yes") == true)
            var spec = TestDocker.sleeper(tag)
            spec.command = ["/bin/sh", "-c", "/bin/busybox cat /marker; echo $IMPORTED"]
            try await TestDocker.withContainer(client, spec) { container in
                let exit = try await client.waitContainer(container)
                let logs = try await client.containerLogs(container)
                #expect(exit.statusCode == 0)
                #expect(String(decoding: logs.stdout, as: UTF8.self) == "imported\nyes\n")
            }
            try await client.removeImage(tag, force: true)
        }
    }

    @Test func commitCapturesAContainersFilesystem() async throws {
        try await TestDocker.withClient { client in
            let tag = "ptest-iso-test/committed:\(UUID().uuidString.prefix(8).lowercased())"
            try await TestDocker.withContainer(client) { id in
                _ = try await TestDocker.shell(client, id, "echo saved > /state.txt")
                let image = try await client.commitContainer(
                    id,
                    options: CommitOptions(
                        repository: "ptest-iso-test/committed", tag: String(tag.split(separator: ":")[1]), comment: "snapshot",
                        changes: ["ENV SNAP=1"], labels: ["ptest-iso.snapshot": "yes"])
                )
                #expect(image.hasPrefix("sha256:"))
            }
            let inspect = try await client.inspectImage(tag)
            #expect(inspect.config?.labels?["ptest-iso.snapshot"] == "yes")
            let restored = try await TestDocker.withContainer(client, TestDocker.sleeper(tag)) { id in
                try await TestDocker.shell(client, id, "cat /state.txt; echo $SNAP")
            }
            #expect(restored == "saved\n1")
            try await client.removeImage(tag, force: true)
        }
    }

    @Test func pruneRemovesOnlyMatchingUnusedImages() async throws {
        try await TestDocker.withClient { client in
            let run = UUID().uuidString
            var ids: [String] = []
            for index in 0..<2 {
                try await TestDocker.withContainer(client) { id in
                    _ = try await TestDocker.shell(client, id, "echo \(index) > /n")
                    ids.append(
                        try await client.commitContainer(
                            id, options: CommitOptions(labels: ["ptest-iso.prune": index == 0 ? run : "keep-\(run)"])))
                }
            }
            let report = try await client.pruneImages(filters: ["label": ["ptest-iso.prune=\(run)"], "dangling": ["true"]])
            #expect(report.imagesDeleted?.contains { $0.deleted == ids[0] } == true)
            #expect(report.imagesDeleted?.contains { $0.deleted == ids[1] } == false)
            #expect(try await client.inspectImage(ids[1]).id == ids[1])
            try await client.removeImage(ids[1])
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func pullingWithoutAReachableRegistryFailsClearly() async throws {
        try await TestDocker.withClient { client in
            let error = await #expect(throws: DockerError.self) {
                try await client.pullImage("127.0.0.1:1/ptest-iso/unreachable:1.0")
            }
            #expect(error?.message.contains("pulling 127.0.0.1:1/ptest-iso/unreachable:1.0 failed") == true)
            #expect(error?.message.contains("connection refused") == true)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func pushingToAnUnreachableRegistryFailsClearly() async throws {
        try await TestDocker.withClient { client in
            let tag = "127.0.0.1:1/ptest-iso/push:\(UUID().uuidString.prefix(8).lowercased())"
            try await client.tagImage(TestDocker.busybox, as: tag)
            try await TestDocker.withCleanup({ _ = try await $0.removeImage(tag) }) {
                let error = await #expect(throws: DockerError.self) { try await client.pushImage(tag) }
                #expect(error?.message.contains("pushing \(tag) failed") == true)
                #expect(error?.message.contains("connection refused") == true)
            }
        }
    }
}
