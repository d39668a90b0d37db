import IsolationCore

/// The first event matching `match`, or `nil` when none arrives within `limit`: a missing
/// event fails the test instead of hanging it (the stream ends only with its manager).
func firstEvent(
    in events: AsyncStream<IsolationEvent>, within limit: Duration = .seconds(30), where match: @escaping @Sendable (IsolationEvent) -> Bool
) async -> IsolationEvent? {
    await withTaskGroup(of: IsolationEvent?.self) { group in
        group.addTask {
            for await event in events where match(event) { return event }
            return nil
        }
        group.addTask {
            try? await Task.sleep(for: limit)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
