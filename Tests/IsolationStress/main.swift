// A load generator for the state store's multi-process tests: creates and
// destroys environments in one session against a shared PTEST_ISO_HOME.
//
//   isolation-stress <home> <session> <count> [--keep] [--template] [--docker IMAGE]
//   (--docker: every other environment is a container of IMAGE)
//   isolation-stress <home> <session> <count> --time-create   (prints the median create time, for bench/)
//   isolation-stress <home> <session> 1 --reuse IMAGE TOKEN BARRIER
//   (a reused sandbox of IMAGE labelled reuse-test=TOKEN; writes BARRIER/ready-<session>, waits for
//   BARRIER/go so the processes ask at once, and prints `reused <id> <location> <reuse detail>`)
import Foundation
import IsolationCore

let arguments = CommandLine.arguments
guard arguments.count >= 4, let count = Int(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: isolation-stress <home> <session> <count> [--keep] [--template]\n".utf8))
    exit(2)
}
let keep = arguments.contains("--keep")
let template = arguments.contains("--template")
let dockerImage = arguments.firstIndex(of: "--docker").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
let manager: IsolationManager
do {
    manager = try await IsolationManager.open(
        configuration: .init(home: URL(fileURLWithPath: arguments[1]), session: arguments[2], maxLiveEnvironments: 10_000)
    )
} catch {
    FileHandle.standardError.write(Data("cannot open the manager: \(error)\n".utf8))
    exit(3)
}
if arguments.contains("--time-create") {
    // Sequential, as bench/abi_bench.py creates from Python: the same work measured from Swift.
    var samples: [Double] = []
    for _ in 0..<count {
        let start = ContinuousClock.now
        let environment = try await manager.create(EnvironmentSpec(useTemplateCache: false))
        let elapsed = ContinuousClock.now - start
        samples.append(Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15)
        try await manager.destroy(environment.id)
    }
    samples.sort()
    print("create_ms_median \(samples[samples.count / 2])")
    exit(0)
}

if let flag = arguments.firstIndex(of: "--reuse"), flag + 3 < arguments.count {
    let barrier = URL(fileURLWithPath: arguments[flag + 3])
    FileManager.default.createFile(atPath: barrier.appendingPathComponent("ready-\(arguments[2])").path, contents: nil)
    let go = barrier.appendingPathComponent("go").path
    let deadline = ContinuousClock.now + .seconds(60)
    while !FileManager.default.fileExists(atPath: go) {
        guard ContinuousClock.now < deadline else {
            FileHandle.standardError.write(Data("no go file within 60 s\n".utf8))
            exit(4)
        }
        try await Task.sleep(for: .milliseconds(5))
    }
    do {
        let spec = EnvironmentSpec(labels: ["reuse-test": arguments[flag + 2]], image: arguments[flag + 1], mode: .sandbox, reuse: true)
        let environment = try await manager.create(spec)
        print("reused \(environment.id) \(environment.location) \(environment.details["reuse"] ?? "-")")
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(1)
    }
}

var failures = 0
try await withThrowingTaskGroup(of: Bool.self) { group in
    // A few at a time, as pytest-xdist workers would.
    var started = 0
    func launch() {
        let index = started
        started += 1
        group.addTask {
            do {
                let inDocker = dockerImage != nil && index % 2 == 1
                let spec = EnvironmentSpec(
                    withPip: template, labels: ["index": String(index)], useTemplateCache: template, image: inDocker ? dockerImage : nil)
                let environment = try await manager.create(spec)
                let probe = inDocker ? ["echo", environment.id] : ["python", "-c", "import sys; print(sys.prefix)"]
                let expected = inDocker ? "\(environment.id)\n" : "\(environment.location)/venv\n"
                let result = try await manager.run(environment.id, Command(probe))
                guard result.exitCode == 0, result.stdoutText == expected else {
                    FileHandle.standardError.write(Data("bad run in \(environment.id): \(result.stderrText)\n".utf8))
                    return false
                }
                if !keep { try await manager.destroy(environment.id) }
                return true
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                return false
            }
        }
    }
    for _ in 0..<min(4, count) { launch() }
    for try await ok in group {
        if !ok { failures += 1 }
        if started < count { launch() }
    }
}
print("done \(count) failures \(failures)")
exit(failures == 0 ? 0 : 1)
