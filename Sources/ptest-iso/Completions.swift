import ArgumentParser
import Foundation
import IsolationCore
import Synchronization

/// Shell completions of environment and snapshot references, read from the state directory the
/// command line names (`--home`, else the default). Completion must never fail loudly in a
/// shell, so any problem (no state yet, an unreadable database) completes nothing.
enum Completions {
    static var environments: CompletionKind {
        .custom { words, _, prefix in environmentCandidates(home: home(in: words), prefix: prefix) }
    }

    static var snapshots: CompletionKind {
        .custom { words, _, prefix in snapshotCandidates(home: home(in: words), prefix: prefix) }
    }

    /// Live environments' ids and names.
    static func environmentCandidates(home: URL, prefix: String) -> [String] {
        guard let store = store(at: home), let environments = waiting({ try? await store.environments() }) else { return [] }
        return matching(environments.flatMap { [$0.id] + ($0.spec.name.map { [$0] } ?? []) }, prefix)
    }

    /// Snapshots' ids and names.
    static func snapshotCandidates(home: URL, prefix: String) -> [String] {
        guard let store = store(at: home), let snapshots = waiting({ try? await store.snapshots() }) else { return [] }
        return matching(snapshots.flatMap { [$0.id, $0.name] }, prefix)
    }

    /// The `--home` of the words being completed, else the default state directory.
    static func home(in words: [String]) -> URL {
        var rest = words[...]
        while let word = rest.popFirst() {
            if word == "--home", let value = rest.first { return URL(fileURLWithPath: value) }
            if word.hasPrefix("--home=") { return URL(fileURLWithPath: String(word.dropFirst("--home=".count))) }
        }
        return IsolationManager.Configuration.defaultHome(ProcessInfo.processInfo.environment)
    }

    /// The state database when it exists: completing never creates a state directory.
    private static func store(at home: URL) -> StateStore? {
        let file = home.appendingPathComponent("state.sqlite")
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        return try? StateStore.open(at: file)
    }

    /// The answer of `read`, waited for on this thread: ArgumentParser asks for completions
    /// synchronously, from the command's main, not from a concurrency thread; `read` runs on the
    /// global executor meanwhile.
    private static func waiting<T: Sendable>(_ read: @escaping @Sendable () async -> T?) -> T? {
        let answer = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            let value = await read()
            answer.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return answer.withLock { $0 }
    }

    private static func matching(_ candidates: [String], _ prefix: String) -> [String] {
        candidates.filter { $0.hasPrefix(prefix) }
    }
}
