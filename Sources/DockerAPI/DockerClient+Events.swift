import AsyncHTTPClient
import Foundation

extension DockerClient {
    /// Streams daemon events as they happen (or replays from `since`).
    /// The stream ends at `until`, or when the iteration stops.
    public func events(_ filter: EventFilter = EventFilter()) async throws -> DockerStream<DockerEvent> {
        var query = Query()
        query.add("since", filter.since.map { String(format: "%.9f", $0) })
        query.add("until", filter.until.map { String(format: "%.9f", $0) })
        query.add(filters: filter.filters)
        let response = try await perform(.GET, "/events", query: query)
        return .jsonLines(response, client: self, operation: "GET /events")
    }
}
